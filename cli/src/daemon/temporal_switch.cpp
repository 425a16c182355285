#include "daemon/temporal_switch.h"

#include <cstdio>

namespace stigmer::daemon {
namespace {

constexpr const char* kTemporal = "temporal";

std::optional<supervise::ComponentStatus> temporal_status(const supervise::Supervisor& supervisor) {
    for (const auto& status : supervisor.status()) {
        if (status.instance == kTemporal) return status;
    }
    return std::nullopt;
}

std::string seconds_text(double seconds) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f s", seconds);
    return buffer;
}

}  // namespace

TemporalSwitch::TemporalSwitch(supervise::Supervisor& supervisor, std::string running_version,
                               std::function<void(const std::string&)> say)
    : supervisor_(supervisor), say_(std::move(say)), version_(std::move(running_version)) {}

std::string TemporalSwitch::version() const {
    return version_;
}

std::string TemporalSwitch::request(const std::string& release, supervise::ComponentSpec spec) {
    if (pending_ || underway_) {
        const auto& underway_release = pending_ ? pending_->first : underway_->release;
        if (underway_release == release) return "";  // asked twice: the same switch
        return "Temporal is being restarted for release " + underway_release;
    }
    pending_.emplace(release, std::move(spec));
    return "";
}

std::optional<TemporalSwitch::Outcome> TemporalSwitch::tick() {
    std::optional<std::pair<std::string, supervise::ComponentSpec>> pending;
    {
        std::swap(pending, pending_);
        if (pending) {
            underway_ = Outcome{};
            underway_->release = pending->first;
            underway_->from = version_;
            underway_->to = pending->second.version;
            version_ = pending->second.version;
        }
    }
    if (pending) {
        const auto& underway = *underway_;
        say_("release " + underway.release + " brings Temporal " + underway.to + " (runs " +
             underway.from + "): restarting it with its data; executions wait meanwhile");
        stopped_at_ = Clock::now();
        if (!supervisor_.replace(
                kTemporal, std::move(pending->second),
                "release " + underway.release + " brings Temporal " + underway.to)) {
            version_ = underway_->from;
            underway_.reset();
        }
        return std::nullopt;
    }

    if (!underway_) return std::nullopt;
    const auto status = temporal_status(supervisor_);
    if (!status) return std::nullopt;
    Outcome outcome = *underway_;
    if (!status->replace_failure.empty()) {
        // The old one starts again (the supervisor does it); the release's runner must not run.
        outcome.ok = false;
        outcome.why = "its Temporal " + outcome.to + " could not start (" +
                      status->replace_failure.substr(outcome.to.size() + 2) + "); Temporal " +
                      outcome.from + " runs again";
        version_ = outcome.from;
    } else if (status->state == supervise::ComponentState::kReady) {
        outcome.ok = true;
        outcome.unavailable_seconds =
            std::chrono::duration<double>(Clock::now() - stopped_at_).count();
    } else {
        return std::nullopt;
    }
    underway_.reset();
    last_ = outcome;
    say_(outcome.ok ? "Temporal " + outcome.to + " is ready with its data; unavailable for " +
                          seconds_text(outcome.unavailable_seconds)
                    : "release " + outcome.release + ": " + outcome.why);
    return outcome;
}

nlohmann::json TemporalSwitch::describe() const {
    nlohmann::json restart = nullptr;
    if (last_) {
        restart = {{"release", last_->release},
                   {"from", last_->from},
                   {"to", last_->to},
                   {"ok", last_->ok}};
        if (last_->ok)
            restart["unavailable_seconds"] = last_->unavailable_seconds;
        else
            restart["why"] = last_->why;
    }
    return {{"version", version_}, {"restart", restart}};
}

}  // namespace stigmer::daemon
