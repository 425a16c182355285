#include "daemon/daemon_runner.h"

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "daemon/control_socket.h"
#include "daemon/run_paths.h"
#include "platform/file_lock.h"
#include "platform/fs.h"
#include "platform/process.h"
#include "platform/process_info.h"
#include "platform/stop_signals.h"
#include "supervise/rotating_log.h"
#include "supervise/supervisor.h"
#include "update/update_checker.h"
#include "util/error.h"
#include "util/files.h"

namespace stigmer::daemon {
namespace {

void say(const std::string& line) {
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
    settings.on_release_ready = [](const std::string& version) {
        // Applying it to the running stack is the rolling upgrade's job; until that is wired
        // here, the release waits in the store for `stigmer server update`.
        say("release " + version +
            " downloaded and verified; not active: `stigmer server update` switches to it");
    };
    return settings;
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
            // Only if the pid still runs what we started: pids are reused.
            const std::string command = platform::process_command_line(pgid);
            if (pgid > 0 && !executable.empty() && command.rfind(executable, 0) == 0) {
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

    auto lock = platform::FileLock::try_acquire(paths.daemon_lock);
    if (!lock) {
        say("another stigmer daemon already runs for " + launch.home.string() + "; exiting");
        return static_cast<int>(ExitCode::kRefused);
    }
    platform::install_stop_signal_handlers();
    platform::ignore_broken_pipes();

    if (const int killed = clean_up_leftovers(paths.children_file); killed > 0) {
        say("stopped " + std::to_string(killed) +
            " process group(s) left by a daemon that was killed");
    }
    platform::write_file_atomically(paths.pid_file,
                                    std::to_string(platform::current_process_id()) + "\n");

    const auto plan = plan_stack(launch.config, launch.binaries, launch.home, launch.environment);
    supervise::SupervisorSettings settings;
    settings.log_directory = paths.log_dir;
    settings.event_log = say;
    supervise::Supervisor supervisor(plan, settings);

    std::atomic<bool> stop_requested{false};
    const auto started_at = std::chrono::system_clock::now();
    const auto& t = launch.config.temporal;
    auto status_document = [&] {
        nlohmann::json components = nlohmann::json::array();
        for (const auto& status : supervisor.status()) components.push_back(status.to_json());
        const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now() - started_at);
        return nlohmann::json{
            {"ok", true},
            {"daemon",
             {{"pid", platform::current_process_id()},
              {"home", launch.home.string()},
              {"release", launch.release_version},
              {"uptime_seconds", uptime.count()},
              {"stopping", stop_requested.load()}}},
            {"temporal",
             {{"external", t.external},
              {"address", t.grpc_address()},
              {"namespace", t.name_space},
              {"task_queue", t.task_queue},
              {"http_url", t.http_api_url()},
              {"ui_url", t.external ? "" : "http://" + t.host + ":" + std::to_string(t.ui_port)}}},
            {"components", components},
            {"ready", supervisor.all_ready()},
            {"failed", supervisor.any_failed()},
        };
    };

    ControlServer server(paths.socket, [&](const nlohmann::json& request) -> nlohmann::json {
        const std::string command = request.value("command", "");
        if (command == "ping") return {{"ok", true}, {"pid", platform::current_process_id()}};
        if (command == "status") return status_document();
        if (command == "stop") {
            stop_requested = true;
            return {{"ok", true}};
        }
        return {{"ok", false}, {"error", "unknown command '" + command + "'"}};
    });
    say("daemon started (pid " + std::to_string(platform::current_process_id()) + ", release " +
        launch.release_version + ")");

    // Once a day, in the background: never in the way of a command or of the stack.
    update::BackgroundUpdateChecker update_checker(update_check_settings(launch));
    update_checker.start();

    std::string recorded;
    while (!stop_requested && !platform::stop_signal_received()) {
        supervisor.tick();
        const std::string record = children_record(supervisor).dump();
        if (record != recorded) {
            platform::write_file_atomically(paths.children_file, record);
            recorded = record;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
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
