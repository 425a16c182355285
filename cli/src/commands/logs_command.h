#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "commands/context.h"

namespace stigmer::commands {

// `stigmer server logs [--all] [-c COMPONENT] [-f] [-n N]`.
void add_logs_command(CLI::App& server, GlobalOptions& options, std::function<void()>& action);

}  // namespace stigmer::commands
