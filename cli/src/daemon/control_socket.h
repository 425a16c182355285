#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "platform/event_loop.h"

namespace stigmer::daemon {

// The daemon's control channel: a local stream socket (mode 0600, so only its owner can
// drive the daemon) carrying one JSON request line and one JSON response line per connection.
// Requests are answered on the thread of `loop`, between supervision steps, so the handler
// sees the daemon's state at one moment. The protocol is documented in docs/daemon-protocol.md.
class ControlServer {
  public:
    using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;

    // Binds the socket (replacing a stale one left by a dead daemon) and serves requests through
    // `loop` until destroyed. Throws Error naming the path if it cannot bind.
    ControlServer(platform::EventLoop& loop, std::filesystem::path socket_path, Handler handler);
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;
    ~ControlServer();  // stops serving and removes the socket file

    // Drops connections that sent no whole request within 5 s (a client that hung).
    void close_idle();

  private:
    // The listening socket, its connections and what else serving needs: each platform's own
    // handle types, defined in control_socket_posix.cpp / control_socket_win32.cpp.
    struct Endpoint;

    std::filesystem::path path_;
    Handler handler_;
    platform::EventLoop& loop_;
    std::unique_ptr<Endpoint> endpoint_;
};

// Sends one request; nullopt when no daemon answers (no socket, refused, or no answer within
// `timeout`).
std::optional<nlohmann::json> send_control_request(const std::filesystem::path& socket_path,
                                                   const nlohmann::json& request,
                                                   std::chrono::milliseconds timeout);

}  // namespace stigmer::daemon
