#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/stack_config.h"
#include "daemon/stack_plan.h"

namespace stigmer::daemon {

struct DaemonLaunch {
    std::filesystem::path home;
    std::string release_version;  // the release whose components run
    config::StackConfig config;
    std::map<std::string, PlannedBinary> binaries;
    std::vector<std::string> environment;  // passed on to the components
    std::string releases_url;              // where the background update check looks
    // `server start --foreground`: the daemon's events go to the terminal (stderr) as well as
    // to daemon.log, and stderr stays the terminal.
    bool foreground = false;
};

// Runs the daemon in this process until asked to stop (control request or signal): holds the
// daemon lock for its whole life, cleans up what a killed predecessor left, serves the control
// socket and supervises the stack. Returns the exit code. If another daemon holds the lock,
// returns at once with kRefused.
int run_daemon(const DaemonLaunch& launch);

// Kills the process groups a dead daemon recorded, if they still run the recorded executable.
// Returns how many were found and killed.
int clean_up_leftovers(const std::filesystem::path& children_file);

}  // namespace stigmer::daemon
