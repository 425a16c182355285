#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "commands/context.h"

namespace stigmer::commands {

// `stigmer server start|stop|restart|status|logs` on the `server` group, and the hidden
// `stigmer daemon` that `start` spawns.
void add_stack_commands(CLI::App& app, CLI::App& server, GlobalOptions& options,
                        std::function<void()>& action);

}  // namespace stigmer::commands
