#include "commands/rolling_update.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "commands/stack_endpoint.h"
#include "daemon/daemon_client.h"
#include "temporal/worker_deployment.h"
#include "util/error.h"

namespace stigmer::commands {
namespace {

using Clock = std::chrono::steady_clock;
// A one-file runner unpacks itself on its first start: the supervisor allows it 180 s.
constexpr std::chrono::seconds kReadyTimeout{200};

std::optional<nlohmann::json> runner_of(const nlohmann::json& status, const std::string& release) {
    for (const auto& component : status.value("components", nlohmann::json::array())) {
        if (component.value("name", "") == "agent-runner" &&
            component.value("release", "") == release)
            return component;
    }
    return std::nullopt;
}

std::string draining_summary(const nlohmann::json& status, const std::string& release) {
    std::string text;
    for (const auto& component : status.value("components", nlohmann::json::array())) {
        if (component.value("role", "") != "draining" || component.value("release", "") == release)
            continue;
        const auto open = component.value("open_executions", nlohmann::json());
        if (!text.empty()) text += "; ";
        text += component.value("release", "?") + " finishes " +
                (open.is_number() ? std::to_string(open.get<long>()) + " open execution(s)"
                                  : "the executions it started") +
                ", then stops";
    }
    return text;
}

// "Temporal 1.5.2 restarted (unavailable 2.4 s); " when the update to `release` restarted it.
std::string temporal_restart_summary(const nlohmann::json& status, const std::string& release) {
    const auto restart =
        status.value("temporal", nlohmann::json::object()).value("restart", nlohmann::json());
    if (!restart.is_object() || restart.value("release", "") != release ||
        !restart.value("ok", false))
        return "";
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", restart.value("unavailable_seconds", 0.0));
    return "Temporal " + restart.value("to", "?") + " restarted with its data (unavailable " +
           seconds + " s); ";
}

}  // namespace

std::optional<std::string> apply_to_running_stack(Context& context,
                                                  const store::InstalledRelease& release) {
    const daemon::DaemonClient client(context.settings().home);
    if (!client.status()) {
        if (!client.alive()) return std::nullopt;  // no stack: the next start runs the release
        // Running but busy (a slow Temporal call on its loop): give it longer before saying so,
        // rather than taking a running stack for a stopped one.
        if (!client.status(std::chrono::milliseconds(15000))) {
            throw Error(ExitCode::kRefused, "the running stack did not answer",
                        client.paths().socket.string(),
                        "retry; the release is installed and active and runs at the next start");
        }
    }
    const std::string version = release.manifest.manifest.version;
    const auto runner = release.components.find("agent-runner");
    if (runner == release.components.end()) {
        throw Error(ExitCode::kNotAvailable, "release " + version + " has no agent-runner",
                    context.store().layout().manifest_dir(version).string(),
                    "use a complete release");
    }
    const auto temporal = release.components.find("temporal");
    const bool has_temporal = temporal != release.components.end();
    const auto answer = client.request_upgrade(
        version, runner->second.component_version, runner->second.executable,
        has_temporal ? temporal->second.component_version : "",
        has_temporal ? temporal->second.executable : std::filesystem::path());
    if (!answer) return std::nullopt;  // stopped meanwhile: the next start runs it
    if (!answer->value("ok", false)) {
        throw Error(ExitCode::kRefused,
                    "the running stack did not take release " + version + ": " +
                        answer->value("error", "no reason given"),
                    client.paths().socket.string(),
                    answer->value("hint", "the release is active and runs at the next start"));
    }
    if (const auto restart = answer->value("temporal_restart", nlohmann::json());
        restart.is_object()) {
        context.console().status("restarting Temporal " + restart.value("from", "?") + " -> " +
                                 restart.value("to", "?") +
                                 " with its data; executions in flight wait, then go on");
    }
    context.console().status("starting agent-runner " + version +
                             " beside the running one; executions in flight stay where they are");
    const auto deadline = Clock::now() + kReadyTimeout;
    while (Clock::now() < deadline) {
        const auto status = client.status();
        if (!status && client.alive()) {
            // Busy, not gone: the daemon's loop can be inside a slow Temporal call (seconds
            // under load) while it still holds its lock; ask again.
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            continue;
        }
        if (!status) {
            throw Error(ExitCode::kNotRunning, "the stack stopped during the update",
                        client.paths().socket.string(),
                        "start it with `stigmer server start`: it runs release " + version);
        }
        const auto failed = status->value("daemon", nlohmann::json::object())
                                .value("failed_update", nlohmann::json());
        if (failed.is_object() && failed.value("release", "") == version) {
            const std::string component = failed.value("component", "agent-runner");
            const std::string why = failed.value("why", "");
            throw Error(ExitCode::kFailure,
                        component == "temporal"
                            ? "release " + version + " was not applied: " + why
                            : "agent-runner " + version + " could not start: " + why,
                        (client.paths().log_dir / (component + ".log")).string(),
                        "the previous runner goes on serving; `stigmer server rollback` makes "
                        "its release active again");
        }
        if (const auto component = runner_of(*status, version)) {
            const std::string state = component->value("state", "");
            if (state == "failed") {
                throw Error(ExitCode::kFailure,
                            "agent-runner " + version +
                                " could not start: " + component->value("detail", ""),
                            (client.paths().log_dir / "agent-runner.log").string(),
                            "the previous runner goes on serving; `stigmer server rollback` "
                            "makes it active again");
            }
            if (state == "ready" && component->value("role", "") == "current") {
                const auto drains = draining_summary(*status, version);
                return temporal_restart_summary(*status, version) + "agent-runner " + version +
                       " is current" + (drains.empty() ? "" : "; " + drains) +
                       " (`stigmer server status` shows the runners)";
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    throw Error(ExitCode::kFailure,
                "agent-runner " + version + " did not become current within " +
                    std::to_string(kReadyTimeout.count()) + " s",
                (client.paths().log_dir / "agent-runner.log").string(),
                "the previous runner goes on serving; see `stigmer server logs -c agent-runner`");
}

std::set<std::string> releases_in_use(Context& context) {
    std::set<std::string> in_use;
    const daemon::DaemonClient client(context.settings().home);
    const auto status = client.status();
    if (!status) {
        // A daemon that runs but does not answer may use any release: remove nothing on a guess.
        if (client.alive()) {
            throw Error(ExitCode::kRefused,
                        "the running daemon did not answer, so the releases it uses are unknown",
                        client.paths().socket.string(),
                        "retry, or stop the stack (`stigmer server stop`) first");
        }
        return in_use;
    }
    const std::string daemon_release =
        status->value("daemon", nlohmann::json::object()).value("release", "");
    if (!daemon_release.empty()) in_use.insert(daemon_release);
    for (const auto& component : status->value("components", nlohmann::json::array())) {
        const std::string release = component.value("release", "");
        if (!release.empty()) in_use.insert(release);
        // Temporal keeps running from the release that started it when an update leaves its
        // version unchanged: what each binary lies in is in use as well.
        const std::string binary = component.value("binary", "");
        if (binary.empty()) continue;
        if (auto holder = context.store().layout().release_holding(binary)) in_use.insert(*holder);
    }
    const auto temporal = status->value("temporal", nlohmann::json::object());
    const std::string deployment = temporal.value("deployment", "");
    if (deployment.empty()) return in_use;
    const temporal::WorkerDeployment workers(find_stack_endpoint(context).endpoint, deployment);
    for (const auto& stored : context.store().stored_versions()) {
        // Unknown (Temporal did not answer) counts as in use: nothing is removed on a guess.
        const auto open = workers.open_pinned(stored.version);
        if (!open || *open > 0) in_use.insert(stored.version);
    }
    return in_use;
}

}  // namespace stigmer::commands
