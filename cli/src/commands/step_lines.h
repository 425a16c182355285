#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace stigmer::commands {

// The line `stigmer run` prints for one step of an agent execution, as agent-runner's Steps
// query reports it ({"seq", "kind", "at", ...}): a model call with its tokens, a tool call
// with a short form of its arguments, its result, an approval asked or given. Empty for steps
// that only move the live line (a model call that started).
std::string describe_step(const nlohmann::json& step);

// What the live line says while nothing new has happened since `step` (the latest one).
std::string waiting_after(const nlohmann::json& step);

}  // namespace stigmer::commands
