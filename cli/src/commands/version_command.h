#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "commands/context.h"

namespace stigmer::commands {

// The release version this build runs by default (its own, from STIGMER_VERSION).
const char* cli_version();

// `stigmer version`: CLI version, default component versions, platform.
void add_version_command(CLI::App& app, GlobalOptions& options, std::function<void()>& action);

// Prints the version report (also used by --version).
void print_version(GlobalOptions& options);

}  // namespace stigmer::commands
