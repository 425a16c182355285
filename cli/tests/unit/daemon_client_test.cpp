// What a dead daemon left: only processes that are really ours are ever signalled, pids being
// reused. POSIX builds only (/bin/sleep, fork).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "daemon/daemon_runner.h"
#include "platform/process.h"
#include "platform/process_info.h"
#include "test_support.h"
#include "util/files.h"

using namespace std::chrono_literals;
using namespace stigmer;

namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// A copy of sleep(1) at `path` (a component binary of our own), running for a minute in a
// process group it leads.
platform::ChildProcess run_copy_of_sleep(const std::filesystem::path& path) {
    std::filesystem::copy_file("/bin/sleep", path);
    platform::SpawnRequest request;
    request.executable = path;
    request.arguments = {"60"};
    return platform::ChildProcess::spawn(request);
}

std::optional<platform::ExitStatus> wait_for_exit(platform::ChildProcess& child) {
    for (int i = 0; i < 500; ++i) {
        if (auto exit = child.poll()) return exit;
        std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
}

void record_children(const std::filesystem::path& file, int pgid,
                     const std::filesystem::path& executable) {
    const nlohmann::json record = {
        {"daemon_pid", 1}, {"groups", {{{"pgid", pgid}, {"executable", executable.string()}}}}};
    write_file(file, record.dump());
}

}  // namespace

TEST(CleanUpLeftovers, KillsAGroupStillRunningTheRecordedExecutable) {
    stigmer::testing::TempDir dir;
    auto component = run_copy_of_sleep(dir.path() / "temporal");
    record_children(dir.path() / "children.json", component.pid(), dir.path() / "temporal");
    EXPECT_EQ(daemon::clean_up_leftovers(dir.path() / "children.json"), 1);
    const auto exit = wait_for_exit(component);
    ASSERT_TRUE(exit.has_value());
    EXPECT_TRUE(exit->signaled);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "children.json"));
}

TEST(CleanUpLeftovers, KillsAGroupReachedThroughASymlinkOrWhoseExecutableWasDeleted) {
    stigmer::testing::TempDir dir;
    std::filesystem::create_directory(dir.path() / "v1");
    auto through_link = run_copy_of_sleep(dir.path() / "v1" / "agent-runner");
    std::filesystem::create_directory_symlink("v1", dir.path() / "bin");
    record_children(dir.path() / "children.json", through_link.pid(),
                    dir.path() / "bin" / "agent-runner");
    EXPECT_EQ(daemon::clean_up_leftovers(dir.path() / "children.json"), 1);
    EXPECT_TRUE(wait_for_exit(through_link).has_value());

    // A release removed (or replaced) after its process started: still the file we started.
    auto deleted = run_copy_of_sleep(dir.path() / "temporal");
    std::filesystem::remove(dir.path() / "temporal");
    record_children(dir.path() / "children.json", deleted.pid(), dir.path() / "temporal");
    EXPECT_EQ(daemon::clean_up_leftovers(dir.path() / "children.json"), 1);
    EXPECT_TRUE(wait_for_exit(deleted).has_value());
}

TEST(CleanUpLeftovers, SparesAProcessWhoseCommandLineMerelyNamesTheExecutable) {
    // A pid reused by another program whose argv[0] happens to be the recorded path: its
    // command line matches, the file it runs does not.
    stigmer::testing::TempDir dir;
    const auto recorded = dir.path() / "temporal";
    std::filesystem::copy_file("/bin/sleep", recorded);
    int exec_done[2];
    ASSERT_EQ(::pipe2(exec_done, O_CLOEXEC), 0);
    const pid_t other = ::fork();
    ASSERT_GE(other, 0);
    if (other == 0) {
        ::setpgid(0, 0);
        const std::string name = recorded.string();
        char* argv[] = {const_cast<char*>(name.c_str()), const_cast<char*>("60"), nullptr};
        ::execv("/bin/sleep", argv);
        ::_exit(127);
    }
    ::close(exec_done[1]);
    char byte = 0;
    ASSERT_EQ(::read(exec_done[0], &byte, 1), 0);  // end of file: exec closed the other end
    ::close(exec_done[0]);
    ASSERT_EQ(platform::process_command_line(other), recorded.string() + " 60");

    record_children(dir.path() / "children.json", other, recorded);
    EXPECT_EQ(daemon::clean_up_leftovers(dir.path() / "children.json"), 0);
    EXPECT_EQ(::waitpid(other, nullptr, WNOHANG), 0);  // still running
    ::kill(other, SIGKILL);
    ::waitpid(other, nullptr, 0);
}
