#include "daemon/runner_fleet.h"

#include <vector>

#include "util/semver.h"

namespace stigmer::daemon {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kRunner = "agent-runner";
constexpr int kMoveBatch = 1000;

}  // namespace

std::string RunnerFleet::instance_of(const std::string& release) {
    return std::string(kRunner) + "@" + release;
}

RunnerFleet::RunnerFleet(supervise::Supervisor& supervisor, Settings settings)
    : supervisor_(supervisor), settings_(std::move(settings)) {
    if (uses_worker_versioning(settings_.config)) {
        const auto& t = settings_.config.temporal;
        deployment_.emplace(temporal_endpoint(t), t.deployment);
    }
}

supervise::ComponentSpec RunnerFleet::versioned(supervise::ComponentSpec spec,
                                                const std::string& release) {
    spec.instance = instance_of(release);
    if (!deployment_) return spec;
    const std::string queue = settings_.config.temporal.task_queue;
    spec.waiting_for = "waiting for agent-runner " + release + " to poll task queue '" + queue +
                       "' and become the current version";
    // Ready once Temporal knows this build polls; the build meant to be current is made current
    // then (not a draining one that was restarted).
    spec.ready_check = [this, release, queue] {
        if (!deployment_->build_polls(release, queue)) return false;
        bool explicit_request = false;
        {
            if (release != target_) return true;
            explicit_request = runners_[release].explicit_request;
        }
        return take_current(release, explicit_request);
    };
    return spec;
}

bool RunnerFleet::take_current(const std::string& release, bool explicit_request) {
    if (!explicit_request) {
        // Several machines share a deployment on an external cluster: one that restarts on an
        // older release must not take new executions away from the ones already updated.
        const auto current = deployment_->current_build();
        if (current && *current != release &&
            compare_versions(*current, release) == VersionOrder::kGreater) {
            if (runners_[release].role != "behind") {
                settings_.say("release " + *current + " is current in deployment '" +
                              deployment_->name() + "'; agent-runner " + release +
                              " serves only the executions pinned to it");
            }
            runners_[release].role = "behind";
            return true;
        }
    }
    return deployment_->set_current(release);
}

supervise::ComponentSpec RunnerFleet::first_runner(const std::string& release,
                                                   const PlannedBinary& binary) {
    {
        target_ = release;
        // A local stack is the deployment's only machine: what it starts is current.
        const bool sole_machine = !settings_.config.temporal.external;
        runners_[release] = Runner{release, "starting", sole_machine, {}, std::nullopt, false};
    }
    return versioned(
        plan_agent_runner(settings_.config, binary, settings_.home, settings_.environment, release),
        release);
}

std::string RunnerFleet::upgrade(const std::string& release, const PlannedBinary& binary) {
    failed_.reset();
    if (pending_ || runners_[target_].role == "starting") {
        const std::string going_to = pending_ ? pending_->first : target_;
        if (going_to == release) return "";  // asked twice: the same update
        return "an update to " + going_to + " is in progress";
    }
    if (release == target_) return "";  // runs already
    pending_.emplace(release, binary);
    return "";
}

void RunnerFleet::abandon(const std::string& release, const std::string& why) {
    {
        if (pending_ && pending_->first == release) {
            pending_.reset();
            failed_ = {release, why};
            settings_.say("release " + release + " is not applied: " + why);
            return;
        }
        const auto it = runners_.find(release);
        if (it == runners_.end() || it->second.role != "starting") return;
    }
    give_up_on(release, why);
}

bool RunnerFleet::settled() const {
    return !pending_ && runners_.size() == 1 &&
           (runners_.begin()->second.role == "current" ||
            runners_.begin()->second.role == "behind");
}

std::string RunnerFleet::current_release() const {
    return target_;
}

bool RunnerFleet::serving() const {
    const auto it = runners_.find(target_);
    return it != runners_.end() && (it->second.role == "current" || it->second.role == "behind");
}

void RunnerFleet::tick() {
    std::optional<std::pair<std::string, PlannedBinary>> pending;
    pending.swap(pending_);
    if (pending) {
        const auto& [release, binary] = *pending;
        auto spec = plan_agent_runner(settings_.config, binary, settings_.home,
                                      settings_.environment, release);
        {
            if (auto old = runners_.find(release); old != runners_.end()) {
                // Back to a release that still drains (a rollback): it becomes current again.
                old->second.role = "starting";
                old->second.explicit_request = true;
            } else {
                runners_[release] = Runner{release, "starting", true, {}, std::nullopt, false};
            }
            target_ = release;
        }
        const bool running = [&] {
            for (const auto& status : supervisor_.status())
                if (status.instance == instance_of(release)) return true;
            return false;
        }();
        if (!running) supervisor_.add(versioned(std::move(spec), release));
        settings_.say("starting agent-runner " + release + " beside the running one");
    }
    promote_if_ready();
    if (Clock::now() >= next_drain_check_) {
        next_drain_check_ = Clock::now() + settings_.drain_check_interval;
        if (!adopted_) adopted_ = adopt_orphans();
        drain();
    }
}

bool RunnerFleet::adopt_orphans() {
    if (!deployment_) return true;
    std::string target;
    {
        target = target_;
        if (runners_[target].role != "current" && runners_[target].role != "behind")
            return false;  // once the stack serves
    }
    const auto builds = deployment_->builds();
    if (!builds) return false;
    for (const auto& build : *builds) {
        {
            if (runners_.count(build)) continue;
        }
        const auto open = deployment_->open_pinned(build);
        if (!open) return false;
        if (*open == 0) continue;
        const auto binary = settings_.find_runner ? settings_.find_runner(build) : std::nullopt;
        if (!binary) {
            // Nothing can run that release any more: moved rather than left without a worker.
            int moved = 0;
            for (const auto& id : deployment_->open_pinned_ids(build, kMoveBatch)) {
                if (deployment_->move_to(id, target)) ++moved;
            }
            settings_.say("release " + build + " is not installed: moved " + std::to_string(moved) +
                          " open execution(s) pinned to it to " + target);
            continue;
        }
        runners_[build] = Runner{build, "draining", false, Clock::now(), open, false};
        supervisor_.add(versioned(plan_agent_runner(settings_.config, *binary, settings_.home,
                                                    settings_.environment, build),
                                  build));
        settings_.say("starting agent-runner " + build + " to finish the " + std::to_string(*open) +
                      " open execution(s) pinned to it");
    }
    return true;
}

void RunnerFleet::give_up_on(const std::string& release, const std::string& why) {
    std::string serving;
    {
        for (const auto& [other, runner] : runners_) {
            if (runner.role == "current" || runner.role == "behind") serving = other;
        }
        if (serving.empty()) return;  // the stack's only runner: the supervisor's failure stands
        target_ = serving;
        runners_.erase(release);
        failed_ = {release, why};
    }
    settings_.say("agent-runner " + release + " could not start (" + why + "); " + serving +
                  " goes on serving");
    supervisor_.retire(instance_of(release), "it could not start");
}

void RunnerFleet::promote_if_ready() {
    std::string target;
    bool explicit_request = false;
    {
        target = target_;
        // "behind": not current (another machine's newer release is), so nothing drains for it.
        if (runners_[target].role != "starting") return;
        explicit_request = runners_[target].explicit_request;
    }
    bool ready = false;
    bool failed = false;
    std::string why;
    for (const auto& status : supervisor_.status()) {
        if (status.instance != instance_of(target)) continue;
        ready = status.state == supervise::ComponentState::kReady;
        failed = status.state == supervise::ComponentState::kFailed;
        why = status.detail;
    }
    if (failed) {
        give_up_on(target, why);
        return;
    }
    if (!ready) return;
    // A rollback to a release that was draining: Temporal must hear that it is current again.
    if (deployment_ && !take_current(target, explicit_request)) return;
    std::vector<std::string> draining;
    {
        if (runners_[target].role == "behind") return;
        runners_[target].role = "current";
        for (auto& [release, runner] : runners_) {
            if (release == target || runner.role == "draining") continue;
            runner.role = "draining";
            runner.draining_since = Clock::now();
            draining.push_back(release);
        }
    }
    for (const auto& release : draining) {
        settings_.say("agent-runner " + target + " is current; " + release +
                      " finishes the executions it started, then stops");
    }
    next_drain_check_ = Clock::now();  // without versioning the old one stops at once
}

void RunnerFleet::drain() {
    std::vector<Runner> draining;
    std::string target;
    {
        target = target_;
        for (const auto& [release, runner] : runners_)
            if (runner.role == "draining") draining.push_back(runner);
    }
    const auto limit = std::chrono::seconds(settings_.config.agent_runner.drain_limit_seconds);
    for (auto& runner : draining) {
        // Without versioning nothing is pinned: the new runner resumes what the old one ran.
        std::optional<long> open = deployment_ ? deployment_->open_pinned(runner.release) : 0;
        if (open && *open > 0 && Clock::now() - runner.draining_since >= limit) {
            // Moved, explicitly and logged, never left without a worker.
            int moved = 0;
            for (const auto& id : deployment_->open_pinned_ids(runner.release, kMoveBatch)) {
                if (deployment_->move_to(id, target)) ++moved;
            }
            settings_.say("drain limit reached for agent-runner " + runner.release + ": moved " +
                          std::to_string(moved) + " open execution(s) to " + target);
            open = deployment_->open_pinned(runner.release);
        }
        int zero_counts = 0;
        {
            auto& kept = runners_[runner.release];
            kept.open = open;
            kept.zero_counts = open && *open == 0 ? kept.zero_counts + 1 : 0;
            zero_counts = kept.zero_counts;
        }
        // Visibility may lag an execution by a moment (a cluster's search index): with
        // versioning, none open is believed when two checks in a row say so.
        if (zero_counts < (deployment_ ? 2 : 1)) continue;
        supervisor_.retire(instance_of(runner.release),
                           "drained: no execution pinned to " + runner.release + " is open");
        runners_.erase(runner.release);
    }
}

std::optional<std::pair<std::string, std::string>> RunnerFleet::last_failure() const {
    return failed_;
}

nlohmann::json RunnerFleet::describe(const std::string& instance) const {
    for (const auto& [release, runner] : runners_) {
        if (instance_of(release) != instance) continue;
        nlohmann::json j = {{"release", release}, {"role", runner.role}};
        j["open_executions"] = runner.open ? nlohmann::json(*runner.open) : nlohmann::json(nullptr);
        return j;
    }
    return nullptr;
}

}  // namespace stigmer::daemon
