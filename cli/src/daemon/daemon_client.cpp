#include "daemon/daemon_client.h"

#include <thread>

#include "daemon/control_socket.h"
#include "daemon/daemon_runner.h"
#include "platform/background.h"
#include "platform/file_lock.h"
#include "platform/process.h"
#include "platform/process_info.h"
#include "util/files.h"

namespace stigmer::daemon {

std::optional<nlohmann::json> DaemonClient::status(std::chrono::milliseconds timeout) const {
    auto answer = send_control_request(paths_.socket, {{"command", "status"}}, timeout);
    if (!answer || !answer->value("ok", false)) return std::nullopt;
    return answer;
}

std::optional<int> daemon_to_signal(const platform::FileLock::Holder& lock,
                                    std::optional<int> recorded_pid,
                                    const std::filesystem::path& daemon_executable) {
    if (!lock.held) return std::nullopt;
    if (lock.pid > 0) return lock.pid;
    if (recorded_pid && platform::process_runs(*recorded_pid, daemon_executable))
        return recorded_pid;
    return std::nullopt;
}

bool DaemonClient::alive() const {
    return platform::FileLock::holder(paths_.daemon_lock).held;
}

std::optional<int> DaemonClient::recorded_pid() const {
    try {
        const int pid = std::stoi(read_text_file(paths_.pid_file));
        return pid > 0 ? std::optional(pid) : std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<nlohmann::json> DaemonClient::request_upgrade(
    const std::string& release, const std::string& runner_version,
    const std::filesystem::path& runner_executable, const std::string& temporal_version,
    const std::filesystem::path& temporal_executable) const {
    const nlohmann::json request = {
        {"command", "upgrade"},
        {"release", release},
        {"agent_runner", {{"version", runner_version}, {"executable", runner_executable.string()}}},
        {"temporal", {{"version", temporal_version}, {"executable", temporal_executable.string()}}},
    };
    return send_control_request(paths_.socket, request, std::chrono::milliseconds(5000));
}

bool DaemonClient::request_stop() const {
    const auto answer =
        send_control_request(paths_.socket, {{"command", "stop"}}, std::chrono::milliseconds(3000));
    return answer && answer->value("ok", false);
}

bool DaemonClient::wait_until_gone(std::chrono::milliseconds timeout,
                                   const std::function<void()>& tick) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (alive()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        if (tick) tick();
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return true;
}

void DaemonClient::force_stop(std::chrono::milliseconds grace) const {
    const auto lock = platform::FileLock::holder(paths_.daemon_lock);
    // Our own executable is only needed where the lock does not name its holder.
    const auto self =
        lock.held && lock.pid <= 0 ? platform::current_executable() : std::filesystem::path();
    if (const auto pid = daemon_to_signal(lock, recorded_pid(), self)) {
        platform::terminate_process(*pid);
        if (!wait_until_gone(grace)) {
            platform::kill_process(*pid);
            wait_until_gone(std::chrono::milliseconds(5000));
        }
    }
    clean_up_after_dead_daemon();
}

void DaemonClient::clean_up_after_dead_daemon() const {
    if (alive()) return;
    clean_up_leftovers(paths_.children_file);
    std::error_code ec;
    std::filesystem::remove(paths_.socket, ec);
    std::filesystem::remove(paths_.pid_file, ec);
}

}  // namespace stigmer::daemon
