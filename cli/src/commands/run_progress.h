#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace stigmer::commands {

// What an agent execution is doing, in a few words, read from its history so far: which
// model call is running (each is a durable step of its own), a retried attempt, a step that
// waits for a worker (while the stack restarts, say).
std::string describe_progress(const std::vector<nlohmann::json>& events);

}  // namespace stigmer::commands
