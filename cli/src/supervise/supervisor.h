#pragma once

#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/event_loop.h"
#include "platform/process.h"
#include "supervise/component.h"
#include "supervise/restart_policy.h"
#include "supervise/rotating_log.h"

namespace stigmer::supervise {

struct SupervisorSettings {
    std::filesystem::path log_directory;
    std::uintmax_t log_max_bytes = 10 * 1024 * 1024;
    int log_kept_files = 3;
    RestartPolicySettings restart;
    // Receives the supervisor's own events ("agent-runner exited (exit code 1); restarting in 2s").
    std::function<void(const std::string&)> event_log;
};

// Runs components as child processes, in dependency order, and keeps them running: a component
// that exits unexpectedly is restarted with backoff; one that keeps failing right after start
// is marked failed. A component whose dependency goes away is stopped and started again once the
// dependency is back. The children's output arrives through `loop`; everything, tick() and
// status() alike, is called from the loop's thread, so no state here needs a lock.
class Supervisor {
  public:
    Supervisor(std::vector<ComponentSpec> specs, SupervisorSettings settings,
               platform::EventLoop& loop);
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;
    ~Supervisor();  // stops everything still running

    // One supervision step: starts what can start, checks readiness, handles exits.
    void tick();

    // Whether nothing is in transition (starting, backing off, stopping): the loop may then
    // wait longer between ticks.
    bool settled() const;

    // Adds a component to a running stack (a new release's agent-runner beside the old one);
    // components of the same name share one log file.
    void add(ComponentSpec spec);

    // Stops the component `instance` (SIGTERM, its grace, then SIGKILL) and removes it; false
    // when there is none.
    bool retire(const std::string& instance, const std::string& why);

    // Restarts the component `instance` as `spec` (another release's binary of it): a planned
    // restart, so its dependents go on running meanwhile. If the new one exits or times out
    // before it is ready, the previous spec is started again and the status says why
    // (`replace_failure`). False when there is none.
    bool replace(const std::string& instance, ComponentSpec spec, const std::string& why);

    // Stops every component, dependents first (SIGTERM to the group, the grace period, then
    // SIGKILL); returns when all are gone.
    void stop_all();

    std::vector<ComponentStatus> status() const;
    bool all_ready() const;
    bool any_failed() const;

    // Process group ids of the running components (recorded so that a later daemon can clean up
    // after one that was killed).
    std::vector<int> process_groups() const;

  private:
    struct Runtime;

    void launch(Runtime& component);
    void on_line(Runtime& component, const std::string& line);
    // Reads what the ended child left in its pipe and stops watching it.
    void close_output(Runtime& component);
    void handle_exit(Runtime& component, const platform::ExitStatus& exit);
    void stop_one(Runtime& component, std::chrono::milliseconds grace, const std::string& why);
    // `running`: for a dependent already running, a dependency in a planned restart counts.
    bool dependencies_ready(const Runtime& component, std::string* missing,
                            bool running = false) const;
    void fall_back(Runtime& component, const std::string& why);
    void note(Runtime& component, const std::string& event);
    std::shared_ptr<RotatingLog> log_for(const std::string& name);

    SupervisorSettings settings_;
    platform::EventLoop& loop_;
    std::vector<std::unique_ptr<Runtime>> components_;
    std::map<std::string, std::shared_ptr<RotatingLog>> logs_;  // by component name
    bool stopping_ = false;
};

}  // namespace stigmer::supervise
