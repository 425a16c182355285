#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace stigmer::commands {

// The human view of the daemon's status document: a header line, one row per component, and
// where the Temporal UI and the binaries are.
std::string render_stack_status(const nlohmann::json& status);

// "2h05m", "3m10s", "42s".
std::string format_duration(long long seconds);

}  // namespace stigmer::commands
