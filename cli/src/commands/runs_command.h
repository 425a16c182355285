#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "commands/context.h"

namespace stigmer::commands {

// `stigmer runs [--limit N] [--state S] [--json]`: recent agent executions, from Temporal's
// visibility (state, start, duration, and the tokens and model calls each workflow keeps in
// its memo).
void add_runs_command(CLI::App& app, GlobalOptions& options, std::function<void()>& action);

}  // namespace stigmer::commands
