#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "daemon/run_paths.h"

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

    // The pid the daemon recorded, if the file is there.
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

    // Stops a daemon that does not answer: SIGTERM, then SIGKILL after `grace`; then kills what
    // its components left and removes its stale files.
    void force_stop(std::chrono::milliseconds grace) const;

    // Removes what a dead daemon left (stale socket and pid file, recorded process groups).
    void clean_up_after_dead_daemon() const;

  private:
    RunPaths paths_;
};

}  // namespace stigmer::daemon
