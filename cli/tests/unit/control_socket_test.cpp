#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>

#include "daemon/control_socket.h"
#include "test_support.h"

using namespace std::chrono_literals;
using stigmer::daemon::ControlServer;
using stigmer::daemon::send_control_request;
using stigmer::testing::TempDir;

TEST(ControlSocket, AnswersOneJsonRequestPerConnection) {
    TempDir dir;
    const auto path = dir.path() / "stigmer.sock";
    ControlServer server(path, [](const nlohmann::json& request) {
        return nlohmann::json{{"ok", true}, {"echo", request.value("command", "")}};
    });
    const auto answer = send_control_request(path, {{"command", "status"}}, 2000ms);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ((*answer)["echo"], "status");
    const auto again = send_control_request(path, {{"command", "ping"}}, 2000ms);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ((*again)["echo"], "ping");
}

TEST(ControlSocket, OnlyItsOwnerMayConnect) {
    TempDir dir;
    const auto path = dir.path() / "stigmer.sock";
    ControlServer server(path, [](const nlohmann::json&) { return nlohmann::json{{"ok", true}}; });
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
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
        ControlServer server(path, [](const nlohmann::json&) {
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
    ControlServer server(path, [](const nlohmann::json&) { return nlohmann::json{{"ok", true}}; });
    const auto answer = send_control_request(path, {{"command", "ping"}}, 2000ms);
    ASSERT_TRUE(answer.has_value());
    EXPECT_TRUE((*answer)["ok"].get<bool>());
}

TEST(ControlSocket, ABadRequestGetsAnErrorAnswer) {
    TempDir dir;
    const auto path = dir.path() / "stigmer.sock";
    ControlServer server(path, [](const nlohmann::json& request) -> nlohmann::json {
        return {{"ok", true}, {"value", request.at("missing")}};
    });
    const auto answer = send_control_request(path, {{"command", "x"}}, 2000ms);
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
