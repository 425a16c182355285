#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

#include "commands/context.h"
#include "config/stack_config.h"
#include "daemon/daemon_runner.h"

namespace stigmer::commands {

// Flags that say what stack to run; `server start` takes them from the user and passes them on
// to the daemon it spawns, which resolves them again, offline.
struct StackFlags {
    std::string version;                      // release to run (default: active, else the CLI's)
    std::vector<std::string> local_binaries;  // "agent-runner=PATH"
    config::StackOverrides overrides;

    void add_to(CLI::App& command);
    std::vector<std::string> as_arguments() const;  // for the daemon's command line
};

// The release version `server start` runs: --version, else the active one, else the CLI's own.
std::string release_to_run(const StackFlags& flags, Context& context);

// Which components come from a local build ("name" -> executable), validated.
std::map<std::string, std::filesystem::path> local_binary_overrides(const StackFlags& flags);

// Everything the daemon needs, from installed releases only (no network). Throws Error with
// what to run when something is not installed.
daemon::DaemonLaunch resolve_launch(const StackFlags& flags, Context& context);

// Refuses, before anything starts, a local stack whose ports are taken: one line naming the
// port, its holder if known, and how to choose another.
void check_ports_free(const config::StackConfig& config);

}  // namespace stigmer::commands
