#include "daemon/daemon_runner.h"

#include <atomic>
#include <chrono>
#include <iostream>

#include "daemon/control_socket.h"
#include "daemon/run_paths.h"
#include "daemon/runner_fleet.h"
#include "daemon/temporal_switch.h"
#include "platform/event_loop.h"
#include "platform/file_lock.h"
#include "platform/fs.h"
#include "platform/process.h"
#include "platform/process_info.h"
#include "platform/standard_error.h"
#include "platform/stop_signals.h"
#include "release/trusted_keys.h"
#include "store/release_store.h"
#include "supervise/rotating_log.h"
#include "supervise/supervisor.h"
#include "update/update_checker.h"
#include "util/error.h"
#include "util/files.h"

namespace stigmer::daemon {
namespace {

// daemon.log, rotated like the components' logs; before it is open, stderr (which `server
// start` points at the same file). In the foreground, both.
std::atomic<supervise::RotatingLog*> daemon_log{nullptr};
std::atomic<bool> also_to_terminal{false};

void say(const std::string& line) {
    auto* log = daemon_log.load();
    if (log) log->write_line(line);
    if (!log || also_to_terminal)
        std::cerr << supervise::RotatingLog::timestamp_now() << " " << line << std::endl;
}

nlohmann::json children_record(const supervise::Supervisor& supervisor) {
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& status : supervisor.status()) {
        if (status.pid > 0)
            groups.push_back({{"pgid", status.pid}, {"executable", status.binary.string()}});
    }
    return {{"daemon_pid", platform::current_process_id()}, {"groups", groups}};
}

update::UpdateCheckSettings update_check_settings(const DaemonLaunch& launch) {
    update::UpdateCheckSettings settings;
    settings.home = launch.home;
    settings.releases_url = launch.releases_url;
    settings.config = launch.config.updates;
    settings.cli_version = STIGMER_VERSION;
    settings.platform = platform::detect_platform();
    settings.timeout = update::update_check_timeout();
    settings.log = say;
    return settings;
}

nlohmann::json failed_update(const RunnerFleet& fleet, const TemporalSwitch& temporal_switch) {
    const auto failure = fleet.last_failure();
    if (!failure) return nullptr;
    // Which part of the release could not start: its Temporal, or else its runner.
    const auto restart = temporal_switch.describe()["restart"];
    const bool temporal = restart.is_object() && restart.value("release", "") == failure->first &&
                          !restart.value("ok", true);
    return {{"release", failure->first},
            {"why", failure->second},
            {"component", temporal ? "temporal" : "agent-runner"}};
}

// Whether release binaries `temporal` replace the running Temporal (`running` its version).
bool changes_temporal(const DaemonLaunch& launch, const std::optional<PlannedBinary>& temporal,
                      const std::string& running) {
    return !launch.config.temporal.external && temporal && !temporal->version.empty() &&
           temporal->version != running;
}

// Starts moving the running stack to `release`: its agent-runner beside the running one, and its
// Temporal in place of the running one if the release changes Temporal's version (a local
// stack only: an external cluster is upgraded by whoever runs it). An error text when refused.
std::string start_upgrade(const std::string& release, const PlannedBinary& runner,
                          const std::optional<PlannedBinary>& temporal, const DaemonLaunch& launch,
                          RunnerFleet& fleet, TemporalSwitch& temporal_switch) {
    const bool restarts_temporal = changes_temporal(launch, temporal, temporal_switch.version());
    if (restarts_temporal && temporal->executable.empty())
        return "release " + release + " changes Temporal, and the request did not name its binary";
    if (const auto refused = fleet.upgrade(release, runner); !refused.empty()) return refused;
    if (restarts_temporal) {
        // The new runner waits for it: it depends on Temporal being ready.
        const auto refused = temporal_switch.request(
            release, plan_temporal(launch.config, *temporal, launch.home, launch.environment));
        if (!refused.empty()) {
            fleet.abandon(release, refused);
            return refused;
        }
    }
    return "";
}

// The control request "upgrade" ({"release", "agent_runner": {"version", "executable"},
// "temporal": {"version", "executable"}}) from `server update` on a running stack.
nlohmann::json upgrade_answer(const nlohmann::json& request, const DaemonLaunch& launch,
                              RunnerFleet& fleet, TemporalSwitch& temporal_switch) {
    const std::string release = request.value("release", "");
    const auto runner = request.value("agent_runner", nlohmann::json::object());
    const std::string executable = runner.value("executable", "");
    if (release.empty() || executable.empty())
        return {{"ok", false}, {"error", "an upgrade names a release and its agent-runner"}};
    std::optional<PlannedBinary> temporal;
    if (const auto t = request.value("temporal", nlohmann::json::object()); !t.empty()) {
        temporal = PlannedBinary{"temporal", t.value("version", ""),
                                 std::filesystem::path(t.value("executable", ""))};
    }
    const std::string running_temporal = temporal_switch.version();
    const auto refused =
        start_upgrade(release,
                      PlannedBinary{"agent-runner", runner.value("version", release),
                                    std::filesystem::path(executable)},
                      temporal, launch, fleet, temporal_switch);
    if (!refused.empty()) return {{"ok", false}, {"error", refused}};
    nlohmann::json answer = {{"ok", true}, {"release", release}};
    if (changes_temporal(launch, temporal, running_temporal))
        answer["temporal_restart"] = {{"from", running_temporal}, {"to", temporal->version}};
    return answer;
}

}  // namespace

namespace {

// Empties `directory` (made if missing, the owner's alone); returns how many files it removed.
std::uintmax_t empty_directory(const std::filesystem::path& directory) {
    std::error_code ec;
    std::uintmax_t files = 0;
    for (auto it = std::filesystem::recursive_directory_iterator(directory, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec)) ++files;
    }
    std::filesystem::remove_all(directory, ec);  // symlinks inside are removed, not followed
    create_directories_or_throw(directory);
    std::filesystem::permissions(directory, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
    return files;
}

}  // namespace

int clean_up_leftovers(const std::filesystem::path& children_file) {
    std::error_code ec;
    if (!std::filesystem::exists(children_file, ec)) return 0;
    int killed = 0;
    try {
        const auto record = nlohmann::json::parse(read_text_file(children_file));
        for (const auto& group : record.value("groups", nlohmann::json::array())) {
            const int pgid = group.value("pgid", 0);
            const std::string executable = group.value("executable", "");
            // Only if the pid still runs the file we started: pids are reused.
            if (pgid > 0 && platform::process_runs(pgid, executable)) {
                platform::kill_process_group(pgid);
                ++killed;
            }
        }
    } catch (const std::exception&) {
        // An unreadable record is dropped: there is nothing safe to act on.
    }
    std::filesystem::remove(children_file, ec);
    return killed;
}

int run_daemon(const DaemonLaunch& launch) {
    const RunPaths paths(launch.home);
    create_directories_or_throw(paths.run_dir);
    create_directories_or_throw(paths.log_dir);
    create_directories_or_throw(paths.data_dir / "workspaces");

    // The socket and the pid and lock files are the owner's alone.
    std::error_code mode_error;  // a file system without modes keeps its own
    std::filesystem::permissions(paths.run_dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, mode_error);

    auto lock = platform::FileLock::try_acquire(paths.daemon_lock);
    if (!lock) {
        say("another stigmer daemon already runs for " + launch.home.string() + "; exiting");
        return static_cast<int>(ExitCode::kRefused);
    }
    const supervise::SupervisorSettings defaults;
    supervise::RotatingLog log(
        paths.daemon_log, defaults.log_max_bytes, defaults.log_kept_files,
        launch.foreground ? supervise::RotatingLog::OnOpen{} : platform::redirect_standard_error);
    daemon_log = &log;
    also_to_terminal = launch.foreground;
    struct CloseLog {
        ~CloseLog() { daemon_log = nullptr; }
    } close_log;
    platform::install_stop_signal_handlers();
    platform::ignore_broken_pipes();

    if (const int killed = clean_up_leftovers(paths.children_file); killed > 0) {
        say("stopped " + std::to_string(killed) +
            " process group(s) left by a daemon that was killed");
    }
    // No component of an earlier daemon runs any more (above): what they left is garbage.
    if (const auto removed = empty_directory(paths.temp_dir); removed > 0) {
        say("removed " + std::to_string(removed) +
            " temporary file(s) left by components that were killed");
    }
    platform::write_file_atomically(paths.pid_file,
                                    std::to_string(platform::current_process_id()) + "\n");

    auto plan = plan_stack(launch.config, launch.binaries, launch.home, launch.environment,
                           launch.release_version);
    plan.pop_back();  // the runners are the fleet's: one per release during an update
    supervise::SupervisorSettings settings;
    settings.log_directory = paths.log_dir;
    settings.event_log = say;
    platform::EventLoop loop;
    platform::wake_on_signals(&loop);
    struct StopWaking {  // the loop goes before the handlers that would wake it
        ~StopWaking() { platform::wake_on_signals(nullptr); }
    } stop_waking;
    supervise::Supervisor supervisor(plan, settings, loop);
    store::ReleaseStore store(store::Layout(launch.home), platform::detect_platform(),
                              release::trusted_public_keys());
    RunnerFleet fleet(
        supervisor,
        RunnerFleet::Settings{
            launch.config, launch.home, launch.environment, std::chrono::milliseconds(2000), say,
            [&store](const std::string& release) -> std::optional<PlannedBinary> {
                const auto installed = store.find_installed(release);
                if (!installed) return std::nullopt;
                const auto runner = installed->components.find("agent-runner");
                if (runner == installed->components.end()) return std::nullopt;
                return PlannedBinary{"agent-runner", runner->second.component_version,
                                     runner->second.executable};
            }});
    supervisor.add(fleet.first_runner(launch.release_version, launch.binaries.at("agent-runner")));
    TemporalSwitch temporal_switch(
        supervisor, launch.binaries.count("temporal") ? launch.binaries.at("temporal").version : "",
        say);

    std::atomic<bool> stop_requested{false};
    const auto started_at = std::chrono::system_clock::now();
    const auto& t = launch.config.temporal;
    auto status_document = [&] {
        nlohmann::json components = nlohmann::json::array();
        for (const auto& status : supervisor.status()) {
            auto component = status.to_json();
            if (auto runner = fleet.describe(status.instance); !runner.is_null())
                component.update(runner);
            components.push_back(component);
        }
        const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now() - started_at);
        return nlohmann::json{
            {"ok", true},
            {"daemon",
             {{"pid", platform::current_process_id()},
              {"home", launch.home.string()},
              {"release", fleet.current_release()},
              {"failed_update", failed_update(fleet, temporal_switch)},
              {"uptime_seconds", uptime.count()},
              {"stopping", stop_requested.load()}}},
            {"temporal",
             {{"external", t.external},
              {"version", temporal_switch.version()},
              {"restart", temporal_switch.describe()["restart"]},
              {"address", t.grpc_address()},
              {"namespace", t.name_space},
              {"task_queue", t.task_queue},
              {"deployment", uses_worker_versioning(launch.config) ? t.deployment : ""},
              {"http_url", t.http_api_url()},
              {"ui_url", t.external ? "" : "http://" + t.host + ":" + std::to_string(t.ui_port)}}},
            {"components", components},
            {"ready", supervisor.all_ready() && fleet.serving()},
            {"failed", supervisor.any_failed()},
        };
    };

    ControlServer server(loop, paths.socket, [&](const nlohmann::json& request) -> nlohmann::json {
        const std::string command = request.value("command", "");
        if (command == "ping") return {{"ok", true}, {"pid", platform::current_process_id()}};
        if (command == "status") return status_document();
        if (command == "upgrade") return upgrade_answer(request, launch, fleet, temporal_switch);
        if (command == "stop") {
            say("stop asked over the control socket (stigmer server stop)");
            stop_requested = true;
            return {{"ok", true}};
        }
        return {{"ok", false}, {"error", "unknown command '" + command + "'"}};
    });
    say("daemon started (pid " + std::to_string(platform::current_process_id()) + ", release " +
        launch.release_version + ")");

    // Once a day, in the background: never in the way of a command or of the stack.
    auto check_settings = update_check_settings(launch);
    // Called on the checker's thread: the work is the loop's.
    const auto apply_release = [&](const std::string& version) {
        // auto_update = "install": the verified release becomes active and rolls onto the
        // running stack the way `stigmer server update` does.
        const auto installed = store.find_installed(version);
        if (!installed || !installed->components.count("agent-runner")) return;
        const auto& runner = installed->components.at("agent-runner");
        store.activate(*installed);
        std::optional<PlannedBinary> temporal;
        if (const auto found = installed->components.find("temporal");
            found != installed->components.end()) {
            temporal = PlannedBinary{"temporal", found->second.component_version,
                                     found->second.executable};
        }
        const auto refused = start_upgrade(
            version, PlannedBinary{"agent-runner", runner.component_version, runner.executable},
            temporal, launch, fleet, temporal_switch);
        say(refused.empty() ? "auto_update: applying release " + version + " to the running stack"
                            : "auto_update: release " + version + " waits: " + refused);
    };
    check_settings.on_release_ready = [&](const std::string& version) {
        loop.post([&apply_release, version] { apply_release(version); });
    };
    update::BackgroundUpdateChecker update_checker(check_settings);
    update_checker.start();

    // One loop: the children's output, control requests, signals and child exits wake it at
    // once; otherwise it turns every 100 ms while something is in transition, every second when
    // the stack is settled (the fleet's drain checks and the restart backoffs are not finer).
    std::string recorded;
    while (!stop_requested && !platform::stop_signal_received()) {
        supervisor.tick();
        if (const auto outcome = temporal_switch.tick(); outcome && !outcome->ok)
            fleet.abandon(outcome->release, outcome->why);
        fleet.tick();
        const std::string record = children_record(supervisor).dump();
        if (record != recorded) {
            platform::write_file_atomically(paths.children_file, record);
            recorded = record;
        }
        server.close_idle();
        const bool settled = supervisor.settled() && fleet.settled() && !temporal_switch.busy();
        loop.run_once(settled ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(100));
    }
    if (!stop_requested) say("stop signal received");
    stop_requested = true;
    update_checker.stop();  // abandons a check or download in flight
    say("stopping the stack");
    supervisor.stop_all();
    std::error_code ec;
    std::filesystem::remove(paths.children_file, ec);
    std::filesystem::remove(paths.pid_file, ec);
    say("daemon stopped");
    return 0;
}

}  // namespace stigmer::daemon
