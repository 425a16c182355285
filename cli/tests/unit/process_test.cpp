#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __APPLE__
#include <sys/sysctl.h>
#endif

#include <cerrno>
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "platform/background.h"
#include "platform/pipe_read.h"
#include "platform/process.h"
#include "test_support.h"
#include "util/error.h"
#include "util/files.h"

using namespace std::chrono_literals;
using namespace stigmer::platform;

namespace {

SpawnRequest shell(const std::string& script) {
    SpawnRequest request;
    request.executable = "/bin/sh";
    request.arguments = {"-c", script};
    request.environment = current_environment();
    return request;
}

std::string read_all(ChildProcess& child) {
    std::string out;
    while (read_pipe(child.output_handle(), 5000ms, out) == PipeReadResult::kData) {
    }
    return out;
}

ExitStatus wait_for_exit(ChildProcess& child) {
    for (int i = 0; i < 500; ++i) {
        if (auto exit = child.poll()) return *exit;
        std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "process did not exit";
    child.kill_group();
    return *child.poll();
}

// Whether process `pid` has ended: there is none, or it is a zombie (its parent, perhaps a
// container's init, need not have reaped it yet).
bool has_ended(int pid) {
    if (::kill(pid, 0) != 0) return errno == ESRCH;
#ifdef __linux__
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // "pid (command) state ...": the command may itself hold spaces and parentheses.
    const auto name_end = stat.rfind(") ");
    if (name_end == std::string::npos || name_end + 2 >= stat.size())
        return ::kill(pid, 0) != 0 && errno == ESRCH;  // it went while we read
    return stat[name_end + 2] == 'Z' || stat[name_end + 2] == 'X';
#elif defined(__APPLE__)
    int query[] = {CTL_KERN, KERN_PROC, KERN_PROC_PID, pid};
    struct kinfo_proc info {};
    size_t size = sizeof info;
    if (::sysctl(query, 4, &info, &size, nullptr, 0) != 0 || size == 0)
        return ::kill(pid, 0) != 0 && errno == ESRCH;
    return info.kp_proc.p_stat == SZOMB;
#else
    return false;
#endif
}

bool gone_within(int pid, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (has_ended(pid)) return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

// Prints the descriptors the shell has open, "0 1 2 " when it has only stdin, stdout and
// stderr. Reading /dev/fd (/proc/self/fd on Linux) lists the directory's own descriptor too;
// it is closed once the glob is expanded, so each entry is checked again before it is printed.
constexpr const char* kListDescriptors =
    "for f in /dev/fd/*; do [ -e \"$f\" ] && printf '%s ' \"${f##*/}\"; done; exit 0";

// Descriptors a daemon holds without close-on-exec, as it might have inherited them: a pipe,
// one end moved high (the `server start` pipe was fd 251), and the null device.
class InheritableDescriptors {
  public:
    InheritableDescriptors() {
        int ends[2];
        if (::pipe(ends) != 0) return;
        fds_[0] = ::fcntl(ends[0], F_DUPFD, 251);  // F_DUPFD clears close-on-exec
        ::close(ends[0]);
        fds_[1] = ends[1];
        fds_[2] = ::open("/dev/null", O_RDONLY);
    }
    ~InheritableDescriptors() {
        for (int fd : fds_)
            if (fd >= 0) ::close(fd);
    }
    InheritableDescriptors(const InheritableDescriptors&) = delete;
    InheritableDescriptors& operator=(const InheritableDescriptors&) = delete;
    bool held() const {
        for (int fd : fds_)
            if (fd < 0 || (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0) return false;
        return true;
    }

  private:
    int fds_[3] = {-1, -1, -1};
};

}  // namespace

TEST(GoneWithin, TellsARunningProcessFromAnEndedOne) {
    // The helper the tests below rely on: it must be able to say "still there".
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::pause();
        ::_exit(0);
    }
    EXPECT_FALSE(gone_within(child, 200ms));
    ::kill(child, SIGKILL);
    EXPECT_TRUE(gone_within(child, 2000ms));  // a zombie until reaped: ended all the same
    ::waitpid(child, nullptr, 0);
}

TEST(ChildProcess, CapturesStdoutAndStderrAndTheExitCode) {
    auto child = ChildProcess::spawn(shell("echo out; echo err >&2; exit 3"));
    const auto output = read_all(child);
    EXPECT_NE(output.find("out\n"), std::string::npos);
    EXPECT_NE(output.find("err\n"), std::string::npos);
    const auto exit = wait_for_exit(child);
    EXPECT_FALSE(exit.signaled);
    EXPECT_EQ(exit.value, 3);
    EXPECT_EQ(exit.describe(), "exit code 3");
}

TEST(ChildProcess, PassesTheEnvironmentAndWorkingDirectory) {
    auto request = shell("echo \"$STIGMER_TEST_VALUE\"; pwd");
    request.environment = {"STIGMER_TEST_VALUE=forty-two", "PATH=/usr/bin:/bin"};
    request.working_directory = "/";
    auto child = ChildProcess::spawn(request);
    EXPECT_EQ(read_all(child), "forty-two\n/\n");
    EXPECT_TRUE(wait_for_exit(child).success());
}

TEST(ChildProcess, AMissingExecutableIsAClearError) {
    SpawnRequest request;
    request.executable = "/nonexistent/agent-runner";
    try {
        ChildProcess::spawn(request);
        FAIL() << "expected an error";
    } catch (const stigmer::Error& error) {
        EXPECT_NE(error.message().find("/nonexistent/agent-runner"), std::string::npos);
        EXPECT_NE(error.message().find("No such file"), std::string::npos);
    }
}

TEST(ChildProcess, InheritsOnlyStdinStdoutAndStderr) {
    InheritableDescriptors inheritable;
    ASSERT_TRUE(inheritable.held());
    auto child = ChildProcess::spawn(shell(kListDescriptors));
    EXPECT_EQ(read_all(child), "0 1 2 ");
    EXPECT_TRUE(wait_for_exit(child).success());
}

TEST(DetachedProcess, InheritsOnlyStdinStdoutAndStderr) {
    // How `server start` starts the daemon: what it inherited must not reach the daemon.
    InheritableDescriptors inheritable;
    ASSERT_TRUE(inheritable.held());
    stigmer::testing::TempDir dir;
    const auto log = dir.path() / "daemon.log";
    const int pid = spawn_detached(shell(kListDescriptors), log);
    for (int i = 0; i < 500 && !detached_child_exited(pid); ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(stigmer::read_text_file(log), "0 1 2 ");
}

TEST(ChildProcess, TerminatingTheGroupReachesGrandchildren) {
    // The shell starts a grandchild and reports its pid; SIGTERM to the group stops both.
    auto child = ChildProcess::spawn(shell("sleep 60 & echo $!; wait"));
    std::string out;
    ASSERT_EQ(read_pipe(child.output_handle(), 5000ms, out), PipeReadResult::kData);
    const int grandchild = std::stoi(out);
    ASSERT_TRUE(process_exists(grandchild));
    child.terminate_group();
    const auto exit = wait_for_exit(child);
    EXPECT_TRUE(exit.signaled);
    EXPECT_EQ(exit.value, 15);
    EXPECT_TRUE(gone_within(grandchild, 3000ms));
}

TEST(ChildProcess, KillGroupForcesAProcessThatIgnoresSigterm) {
    auto child =
        ChildProcess::spawn(shell("trap '' TERM; echo armed; while :; do sleep 0.1; done"));
    std::string out;
    ASSERT_EQ(read_pipe(child.output_handle(), 5000ms, out), PipeReadResult::kData);
    child.terminate_group();
    std::this_thread::sleep_for(300ms);
    EXPECT_FALSE(child.poll().has_value());
    child.kill_group();
    const auto exit = wait_for_exit(child);
    EXPECT_TRUE(exit.signaled);
    EXPECT_EQ(exit.describe(), "killed by signal 9 (SIGKILL)");
}

#ifdef __linux__
TEST(ChildProcess, DiesWithTheProcessThatStartedIt) {
    // A forked helper plays the daemon: it spawns a child, then is SIGKILLed.
    int report[2];
    ASSERT_EQ(::pipe(report), 0);
    const pid_t helper = ::fork();
    if (helper == 0) {
        auto child = ChildProcess::spawn(shell("sleep 60"));
        const int pid = child.pid();
        (void)!::write(report[1], &pid, sizeof pid);
        ::pause();
        ::_exit(0);
    }
    int child_pid = 0;
    ASSERT_EQ(::read(report[0], &child_pid, sizeof child_pid),
              static_cast<ssize_t>(sizeof child_pid));
    ASSERT_TRUE(process_exists(child_pid));
    ::kill(helper, SIGKILL);
    ::waitpid(helper, nullptr, 0);
    EXPECT_TRUE(gone_within(child_pid, 2000ms));
    ::close(report[0]);
    ::close(report[1]);
}
#endif
