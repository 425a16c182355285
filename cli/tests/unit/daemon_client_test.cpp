// How the CLI finds a daemon and what a dead one left: only processes that are really ours are
// ever signalled, pids being reused. POSIX builds only (forked lock holders, /bin/sleep).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "daemon/daemon_client.h"
#include "daemon/daemon_runner.h"
#include "platform/background.h"
#include "platform/file_lock.h"
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

// Whether `child` is still running a while from now (a signal takes effect asynchronously).
bool still_running(platform::ChildProcess& child) {
    for (int i = 0; i < 30; ++i) {
        if (child.poll()) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
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

// A process that holds `lock` until it is signalled, as a live daemon holds its lock.
class LockHolder {
  public:
    explicit LockHolder(const std::filesystem::path& lock) {
        int ready[2];
        if (::pipe(ready) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::signal(SIGTERM, SIG_DFL);
            try {
                auto held = platform::FileLock::acquire(lock);
                (void)!::write(ready[1], "x", 1);
                for (;;) ::pause();
            } catch (...) {
                ::_exit(3);  // never back into the test runner
            }
        }
        char byte = 0;
        if (pid_ < 0 || ::read(ready[0], &byte, 1) != 1) pid_ = -1;
        ::close(ready[0]);
        ::close(ready[1]);
    }
    ~LockHolder() {
        if (pid_ > 0) ::kill(pid_, SIGKILL);
        reap();
    }
    LockHolder(const LockHolder&) = delete;
    LockHolder& operator=(const LockHolder&) = delete;

    int pid() const { return pid_; }
    // Whether it was stopped (and reaped) by now.
    bool reap() {
        if (pid_ <= 0) return true;
        if (::waitpid(pid_, nullptr, WNOHANG) != pid_) return false;
        pid_ = -1;
        return true;
    }

  private:
    int pid_ = -1;
};

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

TEST(ForceStop, SparesTheLiveProcessADeadDaemonsPidFileNames) {
    stigmer::testing::TempDir home;
    const daemon::DaemonClient client(home.path());
    create_directories_or_throw(client.paths().run_dir);
    write_file(client.paths().daemon_lock, "");  // the daemon's lock, held by nobody now
    stigmer::testing::TempDir dir;
    auto unrelated = run_copy_of_sleep(dir.path() / "unrelated");
    write_file(client.paths().pid_file, std::to_string(unrelated.pid()) + "\n");

    client.force_stop(200ms);
    EXPECT_TRUE(still_running(unrelated));
    EXPECT_FALSE(std::filesystem::exists(client.paths().pid_file));
    unrelated.kill_group();
    wait_for_exit(unrelated);
}

TEST(ForceStop, StopsTheLockHolderNotWhatThePidFileNames) {
    stigmer::testing::TempDir home;
    const daemon::DaemonClient client(home.path());
    LockHolder daemon(client.paths().daemon_lock);
    ASSERT_GT(daemon.pid(), 0);
    ASSERT_TRUE(client.alive());
    stigmer::testing::TempDir dir;
    auto unrelated = run_copy_of_sleep(dir.path() / "unrelated");
    // The daemon has not written its pid yet: the file still names its killed predecessor's pid,
    // reused since.
    write_file(client.paths().pid_file, std::to_string(unrelated.pid()) + "\n");

    client.force_stop(5000ms);
    EXPECT_TRUE(still_running(unrelated));
    bool reaped = daemon.reap();
    for (int i = 0; i < 500 && !reaped; ++i) {
        std::this_thread::sleep_for(10ms);
        reaped = daemon.reap();
    }
    EXPECT_TRUE(reaped);
    EXPECT_FALSE(client.alive());
    unrelated.kill_group();
    wait_for_exit(unrelated);
}

TEST(ForceStop, WhereTheLockNamesNoHolderOnlyARecordedDaemonIsSignalled) {
    // macOS and Windows: the lock tells that a daemon runs, not which process it is.
    stigmer::testing::TempDir home;
    LockHolder daemon(home.path() / "daemon.lock");  // a process running the daemon's executable
    ASSERT_GT(daemon.pid(), 0);
    stigmer::testing::TempDir dir;
    auto unrelated = run_copy_of_sleep(dir.path() / "unrelated");
    const auto self = platform::current_executable();
    const platform::FileLock::Holder unnamed{true, 0};

    EXPECT_EQ(daemon::daemon_to_signal(unnamed, daemon.pid(), self), daemon.pid());
    EXPECT_EQ(daemon::daemon_to_signal(unnamed, unrelated.pid(), self), std::nullopt);
    EXPECT_EQ(daemon::daemon_to_signal(unnamed, std::nullopt, self), std::nullopt);
    EXPECT_EQ(daemon::daemon_to_signal({false, 0}, daemon.pid(), self), std::nullopt);
    EXPECT_EQ(daemon::daemon_to_signal({true, 4321}, unrelated.pid(), self), 4321);
    unrelated.kill_group();
    wait_for_exit(unrelated);
}
