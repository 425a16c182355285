#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <sys/wait.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "daemon/control_socket.h"
#include "platform/event_loop.h"
#include "test_support.h"

using namespace std::chrono_literals;
using stigmer::daemon::ControlServer;
using stigmer::daemon::send_control_request;
using stigmer::platform::EventLoop;
using stigmer::testing::TempDir;

namespace {

// Turns the daemon's loop on a thread of its own while the test talks to the server as a
// client would; made after the server and gone before it, as the loop's owner must be.
class Serving {
  public:
    explicit Serving(EventLoop& loop)
        : loop_(loop), thread_([this] {
              while (!stop_) loop_.run_once(20ms);
          }) {}
    ~Serving() {
        stop_ = true;
        loop_.wake();
        thread_.join();
    }

  private:
    EventLoop& loop_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

nlohmann::json always_ok(const nlohmann::json&) {
    return {{"ok", true}};
}

// A server on `path` in a directory of its own, served by a loop on its own thread: members go
// in reverse order, the serving thread first.
struct ServedSocket {
    explicit ServedSocket(ControlServer::Handler handler = always_ok)
        : server(loop, path, std::move(handler)) {}

    TempDir dir;
    const std::filesystem::path path = dir.path() / "stigmer.sock";
    EventLoop loop;
    ControlServer server;
    Serving serving{loop};
};

int connect_to(const std::filesystem::path& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        const int error = errno;
        ::close(fd);
        return -error;
    }
    return fd;
}

}  // namespace

TEST(ControlSocket, AnswersOneJsonRequestPerConnection) {
    ServedSocket socket([](const nlohmann::json& request) {
        return nlohmann::json{{"ok", true}, {"echo", request.value("command", "")}};
    });
    const auto& path = socket.path;
    const auto answer = send_control_request(path, {{"command", "status"}}, 2000ms);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ((*answer)["echo"], "status");
    const auto again = send_control_request(path, {{"command", "ping"}}, 2000ms);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ((*again)["echo"], "ping");
}

TEST(ControlSocket, OnlyItsOwnerMayConnect) {
    ServedSocket socket;
    const auto& path = socket.path;
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    const int own = connect_to(path);
    EXPECT_GE(own, 0) << "its owner cannot connect: " << std::strerror(-own);
    if (own >= 0) ::close(own);
    if (::geteuid() != 0) GTEST_SKIP() << "connecting as another user needs root to become one";
    // Another user, with search access to the directory, is refused by the socket's mode.
    std::filesystem::permissions(socket.dir.path(), std::filesystem::perms::all);
    const pid_t other = ::fork();
    if (other == 0) {
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
        const int fd = connect_to(path);
        ::_exit(fd == -EACCES ? 0 : fd >= 0 ? 1 : 3);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(other, &status, 0), other);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0)
        << "another user's connect: 1 = accepted, 2 = could not become nobody, 3 = other error";
}

TEST(ControlSocket, AClientThatSaysNothingDoesNotHoldUpOthers) {
    ServedSocket socket;
    const auto& path = socket.path;
    const int silent = connect_to(path);
    ASSERT_GE(silent, 0);
    const auto answer = send_control_request(path, {{"command", "ping"}}, 1000ms);
    EXPECT_TRUE(answer.has_value()) << "a silent connection held up the next request";
    ::close(silent);
}

TEST(ControlSocket, NoDaemonMeansNoAnswer) {
    TempDir dir;
    EXPECT_FALSE(send_control_request(dir.path() / "missing.sock", {{"command", "ping"}}, 500ms)
                     .has_value());
}

TEST(ControlSocket, TheSocketGoesWithTheServer) {
    TempDir dir;
    const auto path = dir.path() / "stigmer.sock";
    {
        EventLoop loop;
        ControlServer server(loop, path, [](const nlohmann::json&) {
            return nlohmann::json{{"ok", true}};
        });
        EXPECT_TRUE(std::filesystem::exists(path));
    }
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_FALSE(send_control_request(path, {{"command", "ping"}}, 500ms).has_value());
}

TEST(ControlSocket, WorksUnderADeepHomeDirectory) {
    TempDir dir;
    auto deep = dir.path();
    for (int i = 0; i < 6; ++i) deep /= "a-rather-long-directory-name";
    std::filesystem::create_directories(deep);
    const auto path = deep / "stigmer.sock";
    ASSERT_GT(path.string().size(), 108u);
    EventLoop loop;
    ControlServer server(loop, path, [](const nlohmann::json&) {
        return nlohmann::json{{"ok", true}};
    });
    Serving serving(loop);
    const auto answer = send_control_request(path, {{"command", "ping"}}, 2000ms);
    ASSERT_TRUE(answer.has_value());
    EXPECT_TRUE((*answer)["ok"].get<bool>());
}

TEST(ControlSocket, ABadRequestGetsAnErrorAnswer) {
    ServedSocket socket([](const nlohmann::json& request) -> nlohmann::json {
        return {{"ok", true}, {"value", request.at("missing")}};
    });
    const auto answer = send_control_request(socket.path, {{"command", "x"}}, 2000ms);
    ASSERT_TRUE(answer.has_value());
    EXPECT_FALSE((*answer)["ok"].get<bool>());
}

TEST(ControlSocket, AServerThatNeverAcceptsCannotHangTheClient) {
    // A daemon that is stopped (SIGSTOP) still has its socket; once its backlog is full a
    // blocking connect would wait forever.
    TempDir dir;
    const auto path = dir.path() / "stuck.sock";
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    const auto began = std::chrono::steady_clock::now();
    for (int i = 0; i < 8; ++i) {
        EXPECT_FALSE(send_control_request(path, {{"command", "ping"}}, 200ms).has_value());
    }
    EXPECT_LT(std::chrono::steady_clock::now() - began, 5s);
    ::close(fd);
}
