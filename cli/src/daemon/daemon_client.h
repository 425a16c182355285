#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "daemon/run_paths.h"
#include "platform/file_lock.h"

namespace stigmer::daemon {

// How the CLI's commands find and talk to the daemon of one STIGMER_HOME.
class DaemonClient {
  public:
    explicit DaemonClient(const std::filesystem::path& home) : paths_(home) {}

    const RunPaths& paths() const { return paths_; }

    // The daemon's status document, or nullopt if no daemon answers.
    std::optional<nlohmann::json> status(
        std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) const;

    // Whether a daemon process holds the daemon lock (alive, answering or not).
    bool alive() const;

    // The pid the daemon recorded, if the file is there. It outlives a killed daemon, and
    // the pid may be reused since: never signal it unchecked.
    std::optional<int> recorded_pid() const;

    // Asks the running stack to take release `release` as a rolling update: its agent-runner
    // (`runner_version`, `runner_executable`) starts beside the old one and becomes current;
    // its Temporal replaces the running one if its version differs. The daemon's answer
    // ({"ok": true, "temporal_restart"?} or {"ok": false, "error", "hint"}); nullopt if no
    // daemon answered.
    std::optional<nlohmann::json> request_upgrade(
        const std::string& release, const std::string& runner_version,
        const std::filesystem::path& runner_executable, const std::string& temporal_version,
        const std::filesystem::path& temporal_executable) const;

    // Asks the daemon to stop the stack and exit; false if it did not answer.
    bool request_stop() const;

    // Waits until no daemon holds the lock; `tick` is called about every 250 ms.
    bool wait_until_gone(std::chrono::milliseconds timeout,
                         const std::function<void()>& tick = {}) const;

    // Stops a daemon that does not answer: SIGTERM, then SIGKILL after `grace`, to the daemon
    // lock's holder (nothing if no daemon holds it); then kills what its components left and
    // removes its stale files.
    void force_stop(std::chrono::milliseconds grace) const;

    // Removes what a dead daemon left (stale socket and pid file, recorded process groups).
    void clean_up_after_dead_daemon() const;

  private:
    RunPaths paths_;
};

// Which process to signal to stop the daemon: the daemon lock's holder, as the lock names it
// (Linux), else the recorded pid if that process runs `daemon_executable` (the daemon is
// stigmer itself); nullopt if no daemon holds the lock or none can be named safely.
std::optional<int> daemon_to_signal(const platform::FileLock::Holder& lock,
                                    std::optional<int> recorded_pid,
                                    const std::filesystem::path& daemon_executable);

}  // namespace stigmer::daemon
