#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "commands/context.h"

namespace stigmer::commands {

// `stigmer run "PROMPT" [--instructions ...] [--provider ...] [--model ...] [--json]`: one agent
// execution on the running stack, through Temporal's HTTP API.
void add_run_command(CLI::App& app, GlobalOptions& options, std::function<void()>& action);

}  // namespace stigmer::commands
