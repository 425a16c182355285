#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "commands/context.h"

namespace stigmer::commands {

// `stigmer server install|update|rollback|versions|prune` (the daemon commands join this group).
void add_server_commands(CLI::App& app, GlobalOptions& options, std::function<void()>& action);

}  // namespace stigmer::commands
