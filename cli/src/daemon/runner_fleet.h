#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "daemon/stack_plan.h"
#include "supervise/supervisor.h"
#include "temporal/worker_deployment.h"

namespace stigmer::daemon {

// The stack's agent-runners, one per release, as versions of the stack's Temporal Worker
// Deployment (build id = release version). Normally one runs. `server update` on a running
// stack adds the new release's runner beside the old one; once it polls it becomes the current
// version (every new execution starts there) and the old one drains: it keeps running while
// executions pinned to it are open, and is stopped when none is left, or at the drain limit,
// after moving what is left to the current version with Temporal's versioning override.
// Everything is called from the daemon loop's thread.
class RunnerFleet {
  public:
    struct Settings {
        config::StackConfig config;
        std::filesystem::path home;
        std::vector<std::string> environment;
        std::chrono::milliseconds drain_check_interval{2000};
        std::function<void(const std::string&)> say;
        // The installed agent-runner of a release, if it is installed: how executions pinned to
        // a release that no runner runs (left by a stop, then an update) get one again.
        std::function<std::optional<PlannedBinary>(const std::string& release)> find_runner;
    };

    RunnerFleet(supervise::Supervisor& supervisor, Settings settings);

    // The runner of the release the daemon starts with: the spec to hand to the supervisor, its
    // readiness including "is the current version" when versioned.
    supervise::ComponentSpec first_runner(const std::string& release, const PlannedBinary& binary);

    // Asks for release `release`'s runner to be started beside the running one(s); applied on
    // the next tick. An error text when refused (an update in progress), else empty.
    std::string upgrade(const std::string& release, const PlannedBinary& binary);

    // Drops the update to `release` (before or while its runner starts): another part of the
    // release could not start. The runner that serves goes on; last_failure() says why.
    void abandon(const std::string& release, const std::string& why);

    // One round: applies a requested upgrade, promotes the new runner once ready, drains.
    void tick();

    // Whether nothing is under way: one runner, current (or behind), no upgrade asked for.
    bool settled() const;

    // The release whose runner gets new executions.
    std::string current_release() const;

    // Whether that runner serves (ready and, when versioned, current in Temporal or behind a
    // newer release of another machine).
    bool serving() const;

    // Release, role and open executions of the runner `instance` for status (null for another
    // component): {"release", "role", "open_executions"}; role is "starting", "current",
    // "behind" (another machine's newer release is current) or "draining".
    nlohmann::json describe(const std::string& instance) const;

    // The release whose runner an update started and that could not start (with why), until
    // the next update: the old runner then went on serving.
    std::optional<std::pair<std::string, std::string>> last_failure() const;

    // The supervisor's instance name of release `release`'s runner.
    static std::string instance_of(const std::string& release);

  private:
    struct Runner {
        std::string release;
        std::string role;  // "starting", "current", "behind", "draining"
        // Asked for by the user (update, rollback, start --version): made current even over a
        // newer release another machine of the deployment made current.
        bool explicit_request = false;
        std::chrono::steady_clock::time_point draining_since{};
        std::optional<long> open;  // executions still pinned to it (draining only)
        int zero_counts = 0;       // checks in a row that found none open
        bool moved = false;        // what was left at the drain limit has been moved
    };

    supervise::ComponentSpec versioned(supervise::ComponentSpec spec, const std::string& release);
    // Makes `release` current unless another machine made a newer release current (then the
    // runner serves only what is pinned to it: role "behind"); false when Temporal did not answer.
    bool take_current(const std::string& release, bool explicit_request);
    void promote_if_ready();
    void give_up_on(const std::string& release, const std::string& why);
    void drain();
    bool adopt_orphans();

    supervise::Supervisor& supervisor_;
    Settings settings_;
    std::optional<temporal::WorkerDeployment> deployment_;
    std::map<std::string, Runner> runners_;  // by release
    std::string target_;                     // the release that is or becomes current
    std::optional<std::pair<std::string, PlannedBinary>> pending_;
    std::chrono::steady_clock::time_point next_drain_check_{};
    bool adopted_ = false;
    std::optional<std::pair<std::string, std::string>>
        failed_;  // release, why  // looked once for executions pinned to releases no runner runs
};

}  // namespace stigmer::daemon
