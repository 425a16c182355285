#pragma once

#include <filesystem>

namespace stigmer::daemon {

// The daemon's files under STIGMER_HOME (documented in docs/daemon-protocol.md).
struct RunPaths {
    explicit RunPaths(const std::filesystem::path& home)
        : run_dir(home / "run"),
          log_dir(home / "logs"),
          data_dir(home / "data"),
          temp_dir(home / "tmp"),
          daemon_lock(run_dir / "daemon.lock"),
          start_lock(run_dir / "start.lock"),
          pid_file(run_dir / "daemon.pid"),
          socket(run_dir / "stigmer.sock"),
          children_file(run_dir / "children.json"),
          daemon_log(log_dir / "daemon.log") {}

    std::filesystem::path run_dir;
    std::filesystem::path log_dir;
    std::filesystem::path data_dir;
    // The components' temporary files (TMPDIR), not the system's: emptied at every daemon start,
    // so whatever a killed component left there goes with the next start.
    std::filesystem::path temp_dir;
    std::filesystem::path daemon_lock;  // held by the live daemon for its whole life
    std::filesystem::path start_lock;   // serialises concurrent `server start`s
    std::filesystem::path pid_file;
    std::filesystem::path socket;         // control socket, mode 0600
    std::filesystem::path children_file;  // process groups of running components
    std::filesystem::path daemon_log;
};

}  // namespace stigmer::daemon
