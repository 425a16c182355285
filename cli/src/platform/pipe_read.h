#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace stigmer::platform {

enum class PipeReadResult { kData, kTimeout, kEndOfFile };

// Waits up to `timeout` for bytes on a pipe's read end and appends what is available to `out`.
PipeReadResult read_pipe(std::intptr_t handle, std::chrono::milliseconds timeout, std::string& out);

}  // namespace stigmer::platform
