#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "daemon/control_protocol.h"
#include "daemon/control_socket.h"
#include "util/error.h"

namespace stigmer::daemon {
namespace {

// A socket address for `path`. Paths longer than sun_path allows (deep test directories) are
// reached through a descriptor of their directory on Linux; `directory_fd` keeps it open.
struct SocketAddress {
    sockaddr_un address{};
    int directory_fd = -1;
    ~SocketAddress() {
        if (directory_fd >= 0) ::close(directory_fd);
    }
};

void fill_address(const std::filesystem::path& path, SocketAddress& out) {
    out.address.sun_family = AF_UNIX;
    std::string target = path.string();
    if (target.size() >= sizeof(out.address.sun_path)) {
#ifdef __linux__
        out.directory_fd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (out.directory_fd >= 0) {
            target = "/proc/self/fd/" + std::to_string(out.directory_fd) + "/" +
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
    int listen_fd = -1;
    int wake_fds[2] = {-1, -1};  // a pipe: the destructor writes, serve() wakes and returns
};

ControlServer::ControlServer(std::filesystem::path socket_path, Handler handler)
    : path_(std::move(socket_path)),
      handler_(std::move(handler)),
      endpoint_(std::make_unique<Endpoint>()) {
    SocketAddress address;
    fill_address(path_, address);
    endpoint_->listen_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (endpoint_->listen_fd < 0) {
        throw Error(ExitCode::kFailure,
                    std::string("cannot create the control socket (") + std::strerror(errno) + ")",
                    path_.string(), "check the system's open-file limit");
    }
    ::unlink(path_.c_str());  // a stale socket of a dead daemon; the caller holds the daemon lock
    // Created with no permissions for group and others from the start, not chmod-ed after.
    const mode_t previous = ::umask(0177);
    const int rc = ::bind(endpoint_->listen_fd, reinterpret_cast<const sockaddr*>(&address.address),
                          sizeof address.address);
    const int bind_errno = errno;
    ::umask(previous);
    if (rc != 0 || ::listen(endpoint_->listen_fd, 16) != 0) {
        ::close(endpoint_->listen_fd);
        throw Error(ExitCode::kLocalFiles,
                    std::string("cannot listen on the control socket (") +
                        std::strerror(rc != 0 ? bind_errno : errno) + ")",
                    path_.string(), "check permissions on STIGMER_HOME/run");
    }
    if (::pipe2(endpoint_->wake_fds, O_CLOEXEC) != 0) {
        ::close(endpoint_->listen_fd);
        throw Error(ExitCode::kFailure, "cannot create a pipe", path_.string(),
                    "check the system's open-file limit");
    }
    thread_ = std::thread([this] { serve(); });
}

ControlServer::~ControlServer() {
    (void)!::write(endpoint_->wake_fds[1], "x", 1);
    if (thread_.joinable()) thread_.join();
    ::close(endpoint_->listen_fd);
    ::close(endpoint_->wake_fds[0]);
    ::close(endpoint_->wake_fds[1]);
    ::unlink(path_.c_str());
}

void ControlServer::serve() {
    for (;;) {
        pollfd fds[2] = {{endpoint_->listen_fd, POLLIN, 0}, {endpoint_->wake_fds[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[1].revents != 0) return;
        const int client = ::accept4(endpoint_->listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        if (auto line = read_line(receiver(client), std::chrono::milliseconds(5000))) {
            send_all(client, answer_request(handler_, *line).dump() + "\n");
        }
        ::close(client);
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
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return std::nullopt;
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
    ::close(fd);
    return answer;
}

}  // namespace stigmer::daemon
