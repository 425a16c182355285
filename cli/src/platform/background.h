#pragma once

#include <filesystem>

#include "platform/process.h"

namespace stigmer::platform {

// Path of the running executable (to start the daemon from the very same binary).
std::filesystem::path current_executable();

// Starts a process that outlives this one and the terminal: a session of its own, no
// controlling terminal, stdin from the null device, stdout and stderr appended to `log_file`.
// Returns its pid. Throws Error naming the executable if it cannot be started.
int spawn_detached(const SpawnRequest& request, const std::filesystem::path& log_file);

// Whether a child started by spawn_detached has already exited (reaps it if so).
bool detached_child_exited(int pid);

}  // namespace stigmer::platform
