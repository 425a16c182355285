// Windows implementation of the control socket: AF_UNIX stream sockets through Winsock
// (Windows 10 1803 and later), the same one-JSON-line-per-connection protocol as on POSIX.
// Not compiled on POSIX builds.
//
// Owner-only access: Windows has no umask and ignores file modes. The socket file takes the
// ACL it inherits from STIGMER_HOME\run, which under the user's profile grants that user (and
// SYSTEM and administrators) alone, and connecting needs access to that file.
#include <winsock2.h>
#include <ws2tcpip.h>
// winsock2.h first: afunix.h needs its types.
#include <afunix.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "daemon/control_protocol.h"
#include "daemon/control_socket.h"
#include "platform/utf16_win32.h"
#include "util/error.h"

namespace stigmer::daemon {
namespace {

bool winsock_ready() {
    static const bool ready = [] {
        WSADATA data{};
        return WSAStartup(MAKEWORD(2, 2), &data) == 0;  // kept for the life of the process
    }();
    return ready;
}

std::string socket_error() {
    return platform::system_message(static_cast<DWORD>(WSAGetLastError()));
}

sockaddr_un address_of(const std::filesystem::path& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string target = platform::utf8_path(path);
    if (target.size() >= sizeof(address.sun_path)) {
        throw Error(ExitCode::kLocalFiles, "the control socket path is too long", target,
                    "use a shorter STIGMER_HOME");
    }
    std::memcpy(address.sun_path, target.c_str(), target.size() + 1);
    return address;
}

SOCKET new_socket() {
    // Not inheritable: a component must not keep the daemon's socket open.
    return WSASocketW(AF_UNIX, SOCK_STREAM, 0, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
}

bool set_blocking(SOCKET s, bool blocking) {
    u_long non_blocking = blocking ? 0 : 1;
    // FIONBIO's value overflows long, the type ioctlsocket takes: the wrap-around is intended.
    return ioctlsocket(s, static_cast<long>(FIONBIO), &non_blocking) == 0;
}

timeval as_timeval(std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<long>(timeout.count() / 1000);
    tv.tv_usec = static_cast<long>((timeout.count() % 1000) * 1000);
    return tv;
}

bool wait_readable(SOCKET s, std::chrono::milliseconds timeout) {
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(s, &readable);
    timeval tv = as_timeval(timeout);
    return select(0, &readable, nullptr, nullptr, &tv) > 0;
}

// A non-blocking connect finished within `timeout`, successfully.
bool wait_connected(SOCKET s, std::chrono::milliseconds timeout) {
    fd_set writable;
    fd_set failed;
    FD_ZERO(&writable);
    FD_ZERO(&failed);
    FD_SET(s, &writable);
    FD_SET(s, &failed);
    timeval tv = as_timeval(timeout);
    if (select(0, nullptr, &writable, &failed, &tv) <= 0 || FD_ISSET(s, &failed)) return false;
    int error = 0;
    int length = sizeof error;
    return getsockopt(s, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&error), &length) == 0 &&
           error == 0;
}

bool send_all(SOCKET s, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const int chunk = static_cast<int>(std::min<std::size_t>(data.size() - sent, INT_MAX));
        const int n = send(s, data.data() + sent, chunk, 0);
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

ReceiveChunk receiver(SOCKET s) {
    return [s](char* buffer, std::size_t size,
               std::chrono::milliseconds left) -> std::optional<std::size_t> {
        if (!wait_readable(s, left)) return std::nullopt;
        const int n = recv(s, buffer, static_cast<int>(std::min<std::size_t>(size, INT_MAX)), 0);
        return n > 0 ? static_cast<std::size_t>(n) : 0;
    };
}

}  // namespace

// Winsock sockets cannot join the loop's wait here: a thread of its own accepts and reads each
// request, and posts it to the loop, which answers it between supervision steps.
struct ControlServer::Endpoint {
    SOCKET listener = INVALID_SOCKET;
    WSAEVENT accept_event = WSA_INVALID_EVENT;  // signalled when a client connects
    HANDLE stop_event = nullptr;                // signalled by the destructor
    std::thread thread;

    void serve(const ControlServer::Handler& on_request);
};

namespace {
// The loop answers at its next turn; one that is busy stopping the stack may not.
constexpr auto kAnswerTime = std::chrono::seconds(10);
}  // namespace

ControlServer::ControlServer(platform::EventLoop& loop, std::filesystem::path socket_path,
                             Handler handler)
    : path_(std::move(socket_path)),
      handler_(std::move(handler)),
      loop_(loop),
      endpoint_(std::make_unique<Endpoint>()) {
    const sockaddr_un address = address_of(path_);
    if (!winsock_ready()) {
        throw Error(ExitCode::kFailure, "cannot start Winsock", platform::utf8_path(path_),
                    "check the system's network configuration");
    }
    const SOCKET listener = new_socket();
    if (listener == INVALID_SOCKET) {
        throw Error(ExitCode::kFailure, "cannot create the control socket (" + socket_error() + ")",
                    platform::utf8_path(path_), "AF_UNIX sockets need Windows 10 1803 or later");
    }
    DeleteFileW(path_.c_str());  // a stale socket of a dead daemon; the caller holds the lock
    if (bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        listen(listener, 16) != 0) {
        const std::string reason = socket_error();
        closesocket(listener);
        throw Error(ExitCode::kLocalFiles, "cannot listen on the control socket (" + reason + ")",
                    platform::utf8_path(path_), "check permissions on STIGMER_HOME\\run");
    }
    // The accept event is signalled when a client connects; the stop event by the destructor.
    // (WSAEventSelect also makes the listening socket non-blocking.)
    const WSAEVENT accept_event = WSACreateEvent();
    const HANDLE stop_event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    if (accept_event == WSA_INVALID_EVENT || !stop_event ||
        WSAEventSelect(listener, accept_event, FD_ACCEPT) != 0) {
        if (accept_event != WSA_INVALID_EVENT) WSACloseEvent(accept_event);
        if (stop_event) CloseHandle(stop_event);
        closesocket(listener);
        DeleteFileW(path_.c_str());
        throw Error(ExitCode::kFailure, "cannot create an event", platform::utf8_path(path_),
                    "check the system's handle limit");
    }
    endpoint_->listener = listener;
    endpoint_->accept_event = accept_event;
    endpoint_->stop_event = stop_event;
    Handler on_request = [this](const nlohmann::json& request) -> nlohmann::json {
        auto answer = std::make_shared<std::promise<nlohmann::json>>();
        auto future = answer->get_future();
        loop_.post([this, request, answer] {
            try {
                answer->set_value(handler_(request));
            } catch (...) {
                answer->set_exception(std::current_exception());
            }
        });
        if (future.wait_for(kAnswerTime) != std::future_status::ready)
            return {{"ok", false}, {"error", "the daemon is busy; try again"}};
        return future.get();
    };
    endpoint_->thread =
        std::thread([endpoint = endpoint_.get(), on_request] { endpoint->serve(on_request); });
}

void ControlServer::close_idle() {}  // the serving thread gives each request 5 s itself

ControlServer::~ControlServer() {
    SetEvent(endpoint_->stop_event);
    if (endpoint_->thread.joinable()) endpoint_->thread.join();
    closesocket(endpoint_->listener);
    WSACloseEvent(endpoint_->accept_event);
    CloseHandle(endpoint_->stop_event);
    DeleteFileW(path_.c_str());
}

void ControlServer::Endpoint::serve(const ControlServer::Handler& on_request) {
    const HANDLE events[2] = {accept_event, stop_event};
    for (;;) {
        if (WaitForMultipleObjects(2, events, FALSE, INFINITE) != WAIT_OBJECT_0) return;
        WSANETWORKEVENTS happened{};
        WSAEnumNetworkEvents(listener, events[0], &happened);  // resets the accept event
        // Every pending connection: FD_ACCEPT is signalled again only after an accept().
        for (;;) {
            const SOCKET client = accept(listener, nullptr, nullptr);
            if (client == INVALID_SOCKET) break;
            // It inherited the listener's event selection and non-blocking mode: undo both.
            WSAEventSelect(client, nullptr, 0);
            set_blocking(client, true);
            if (auto line = read_line(receiver(client), std::chrono::milliseconds(5000))) {
                send_all(client, answer_request(on_request, *line).dump() + "\n");
            }
            closesocket(client);
            if (WaitForSingleObject(events[1], 0) == WAIT_OBJECT_0) return;
        }
    }
}

std::optional<nlohmann::json> send_control_request(const std::filesystem::path& socket_path,
                                                   const nlohmann::json& request,
                                                   std::chrono::milliseconds timeout) {
    // Not std::filesystem::exists: it opens the file, which a socket file refuses.
    if (GetFileAttributesW(socket_path.c_str()) == INVALID_FILE_ATTRIBUTES) return std::nullopt;
    const sockaddr_un address = address_of(socket_path);
    if (!winsock_ready()) return std::nullopt;
    const SOCKET s = new_socket();
    if (s == INVALID_SOCKET) return std::nullopt;
    // Non-blocking connect, bounded by `timeout`: a daemon that is alive but not accepting
    // (stopped, hung) must not hang the client.
    const auto started = std::chrono::steady_clock::now();
    bool connected = false;
    if (set_blocking(s, false)) {
        if (connect(s, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
            connected = true;
        } else if (WSAGetLastError() == WSAEWOULDBLOCK) {
            connected = wait_connected(s, timeout);
        }
    }
    std::optional<nlohmann::json> answer;
    const auto left = timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - started);
    if (connected && set_blocking(s, true) && send_all(s, request.dump() + "\n")) {
        if (auto line = read_line(receiver(s), left)) {
            try {
                answer = nlohmann::json::parse(*line);
            } catch (const nlohmann::json::exception&) {
            }
        }
    }
    closesocket(s);
    return answer;
}

}  // namespace stigmer::daemon
