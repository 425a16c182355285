#include "daemon/daemon_client.h"

#include <thread>

#include "daemon/control_socket.h"
#include "daemon/daemon_runner.h"
#include "platform/file_lock.h"
#include "platform/process.h"
#include "util/files.h"

namespace stigmer::daemon {

std::optional<nlohmann::json> DaemonClient::status(std::chrono::milliseconds timeout) const {
    auto answer = send_control_request(paths_.socket, {{"command", "status"}}, timeout);
    if (!answer || !answer->value("ok", false)) return std::nullopt;
    return answer;
}

bool DaemonClient::alive() const {
    std::error_code ec;
    if (!std::filesystem::exists(paths_.daemon_lock, ec)) return false;
    // Holding the lock for an instant is how we learn nobody else holds it.
    return !platform::FileLock::try_acquire(paths_.daemon_lock).has_value();
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
    if (const auto pid = recorded_pid(); pid && platform::process_exists(*pid)) {
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
