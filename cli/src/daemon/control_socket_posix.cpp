#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>

#include "daemon/control_protocol.h"
#include "daemon/control_socket.h"
#include "platform/fd_posix.h"
#include "util/error.h"

namespace stigmer::daemon {
namespace {

// A socket address for `path`. Paths longer than sun_path allows (deep test directories) are
// reached through a descriptor of their directory on Linux; `directory` keeps it open.
struct SocketAddress {
    sockaddr_un address{};
    platform::Fd directory;
};

void fill_address(const std::filesystem::path& path, SocketAddress& out) {
    out.address.sun_family = AF_UNIX;
    std::string target = path.string();
    if (target.size() >= sizeof(out.address.sun_path)) {
#ifdef __linux__
        out.directory.reset(::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (out.directory) {
            target = "/proc/self/fd/" + std::to_string(out.directory.get()) + "/" +
                     path.filename().string();
        }
#endif
    }
    if (target.size() >= sizeof(out.address.sun_path)) {
        throw Error(ExitCode::kLocalFiles, "the control socket path is too long", path.string(),
                    "use a shorter STIGMER_HOME");
    }
    std::memcpy(out.address.sun_path, target.c_str(), target.size() + 1);
}

bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
    pollfd p{fd, events, 0};
    int rc = 0;
    do {
        rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
    } while (rc < 0 && errno == EINTR);
    return rc > 0;
}

bool send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

ReceiveChunk receiver(int fd) {
    return [fd](char* buffer, std::size_t size,
                std::chrono::milliseconds left) -> std::optional<std::size_t> {
        if (!wait_for(fd, POLLIN, left)) return std::nullopt;
        ssize_t n = 0;
        do {
            n = ::recv(fd, buffer, size, 0);
        } while (n < 0 && errno == EINTR);
        return n > 0 ? static_cast<std::size_t>(n) : 0;
    };
}

}  // namespace

struct ControlServer::Endpoint {
    struct Connection {
        platform::Fd socket;
        std::string received;
        std::chrono::steady_clock::time_point deadline;
    };
    platform::Fd listener;
    std::map<int, Connection> connections;  // by descriptor
};

namespace {
constexpr auto kRequestTime = std::chrono::seconds(5);
constexpr std::size_t kLargestRequest = 1024 * 1024;
}  // namespace

ControlServer::ControlServer(platform::EventLoop& loop, std::filesystem::path socket_path,
                             Handler handler)
    : path_(std::move(socket_path)),
      handler_(std::move(handler)),
      loop_(loop),
      endpoint_(std::make_unique<Endpoint>()) {
    SocketAddress address;
    fill_address(path_, address);
    endpoint_->listener.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!endpoint_->listener) {
        throw Error(ExitCode::kFailure,
                    std::string("cannot create the control socket (") + std::strerror(errno) + ")",
                    path_.string(), "check the system's open-file limit");
    }
    ::unlink(path_.c_str());  // a stale socket of a dead daemon; the caller holds the daemon lock
    // Created with no permissions for group and others from the start, not chmod-ed after.
    const mode_t previous = ::umask(0177);
    const int rc =
        ::bind(endpoint_->listener.get(), reinterpret_cast<const sockaddr*>(&address.address),
               sizeof address.address);
    const int bind_errno = errno;
    ::umask(previous);
    if (rc != 0 || ::listen(endpoint_->listener.get(), 16) != 0) {
        throw Error(ExitCode::kLocalFiles,
                    std::string("cannot listen on the control socket (") +
                        std::strerror(rc != 0 ? bind_errno : errno) + ")",
                    path_.string(), "check permissions on STIGMER_HOME/run");
    }
    Endpoint* endpoint = endpoint_.get();
    loop_.watch_readable(endpoint->listener.get(), [this, endpoint] {
        for (;;) {
            platform::Fd client(::accept4(endpoint->listener.get(), nullptr, nullptr,
                                          SOCK_CLOEXEC | SOCK_NONBLOCK));
            if (!client) return;  // EAGAIN: all taken
            const int fd = client.get();
            endpoint->connections[fd] = {
                std::move(client), {}, std::chrono::steady_clock::now() + kRequestTime};
            loop_.watch_readable(fd, [this, endpoint, fd] {
                auto found = endpoint->connections.find(fd);
                if (found == endpoint->connections.end()) return;
                auto& connection = found->second;
                char buffer[4096];
                for (;;) {
                    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
                    if (n < 0 && errno == EINTR) continue;
                    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // more later
                    if (n > 0) connection.received.append(buffer, static_cast<std::size_t>(n));
                    const auto newline = connection.received.find('\n');
                    if (newline != std::string::npos) {
                        // The answer is small; the client is waiting for it.
                        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
                        send_all(fd,
                                 answer_request(handler_, connection.received.substr(0, newline))
                                         .dump() +
                                     "\n");
                    }
                    if (n <= 0 || newline != std::string::npos ||
                        connection.received.size() > kLargestRequest) {
                        loop_.unwatch(fd);
                        endpoint->connections.erase(found);
                        return;
                    }
                }
            });
        }
    });
}

ControlServer::~ControlServer() {
    for (const auto& [fd, connection] : endpoint_->connections) loop_.unwatch(fd);
    loop_.unwatch(endpoint_->listener.get());
    ::unlink(path_.c_str());
}

void ControlServer::close_idle() {
    const auto now = std::chrono::steady_clock::now();
    for (auto it = endpoint_->connections.begin(); it != endpoint_->connections.end();) {
        if (now < it->second.deadline) {
            ++it;
            continue;
        }
        loop_.unwatch(it->first);
        it = endpoint_->connections.erase(it);
    }
}

std::optional<nlohmann::json> send_control_request(const std::filesystem::path& socket_path,
                                                   const nlohmann::json& request,
                                                   std::chrono::milliseconds timeout) {
    std::error_code ec;
    if (!std::filesystem::exists(socket_path, ec)) return std::nullopt;
    SocketAddress address;
    fill_address(socket_path, address);
    // Non-blocking connect: a daemon that is alive but not accepting (stopped, hung) has a
    // full backlog, and a blocking connect would then wait forever.
    const platform::Fd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!socket) return std::nullopt;
    const int fd = socket.get();
    std::optional<nlohmann::json> answer;
    const bool connected = ::connect(fd, reinterpret_cast<const sockaddr*>(&address.address),
                                     sizeof address.address) == 0 &&
                           ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) == 0;
    if (connected && send_all(fd, request.dump() + "\n")) {
        if (auto line = read_line(receiver(fd), timeout)) {
            try {
                answer = nlohmann::json::parse(*line);
            } catch (const nlohmann::json::exception&) {
            }
        }
    }
    return answer;
}

}  // namespace stigmer::daemon
