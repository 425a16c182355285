#include "supervise/component.h"

namespace stigmer::supervise {

std::string to_string(ComponentState state) {
    switch (state) {
        case ComponentState::kWaiting:
            return "waiting";
        case ComponentState::kStarting:
            return "starting";
        case ComponentState::kReady:
            return "ready";
        case ComponentState::kBackoff:
            return "restarting";
        case ComponentState::kStopping:
            return "stopping";
        case ComponentState::kStopped:
            return "stopped";
        case ComponentState::kFailed:
            return "failed";
    }
    return "unknown";
}

nlohmann::json ComponentStatus::to_json() const {
    nlohmann::json j = {
        {"name", name},
        {"instance", instance},
        {"version", version},
        {"state", to_string(state)},
        {"pid", pid},
        {"restarts", restarts},
        {"last_exit", last_exit},
        {"detail", detail},
        {"last_lines", last_lines},
        {"binary", binary.string()},
        {"ports", ports},
    };
    if (!replace_failure.empty()) j["replace_failure"] = replace_failure;
    if (refused) j["refused"] = true;
    if (pid > 0) {
        const auto now = std::chrono::system_clock::now();
        j["uptime_seconds"] =
            std::chrono::duration_cast<std::chrono::seconds>(now - started_at).count();
        j["started_at"] =
            std::chrono::duration_cast<std::chrono::seconds>(started_at.time_since_epoch()).count();
    }
    return j;
}

}  // namespace stigmer::supervise
