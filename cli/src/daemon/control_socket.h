#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

namespace stigmer::daemon {

// The daemon's control channel: a local stream socket (mode 0600, so only its owner can
// drive the daemon) carrying one JSON request line and one JSON response line per connection.
// The protocol is documented in docs/daemon-protocol.md.
class ControlServer {
  public:
    using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;

    // Binds the socket (replacing a stale one left by a dead daemon) and serves requests on a
    // thread of its own until destroyed. Throws Error naming the path if it cannot bind.
    ControlServer(std::filesystem::path socket_path, Handler handler);
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;
    ~ControlServer();  // stops serving and removes the socket file

  private:
    void serve();

    // The listening socket and what wakes serve() to stop: each platform's own handle types,
    // defined in control_socket_posix.cpp / control_socket_win32.cpp.
    struct Endpoint;

    std::filesystem::path path_;
    Handler handler_;
    std::unique_ptr<Endpoint> endpoint_;
    std::thread thread_;
};

// Sends one request; nullopt when no daemon answers (no socket, refused, or no answer within
// `timeout`).
std::optional<nlohmann::json> send_control_request(const std::filesystem::path& socket_path,
                                                   const nlohmann::json& request,
                                                   std::chrono::milliseconds timeout);

}  // namespace stigmer::daemon
