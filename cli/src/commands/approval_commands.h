#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "commands/context.h"

namespace stigmer::commands {

// `stigmer approve ID` and `stigmer deny ID [--reason TEXT]`: answer the tool call an agent
// execution waits on (update "Decide" of its workflow), for executions no terminal follows.
void add_approval_commands(CLI::App& app, GlobalOptions& options, std::function<void()>& action);

}  // namespace stigmer::commands
