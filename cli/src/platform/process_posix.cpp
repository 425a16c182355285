#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>

#include "platform/exec_descriptors_posix.h"
#include "platform/fd_posix.h"
#include "platform/process.h"
#include "util/error.h"

extern char** environ;

namespace stigmer::platform {
namespace {

std::vector<char*> as_argv(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    pointers.reserve(strings.size() + 1);
    for (auto& s : strings) pointers.push_back(s.data());
    pointers.push_back(nullptr);
    return pointers;
}

#ifdef __linux__
// Closes the descriptors /proc/self/fd lists from `lowest` up, read with getdents64 into the
// stack (opendir would allocate). For kernels before close_range (5.9); false without /proc.
bool close_listed_descriptors(int lowest) {
    const int directory = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory < 0) return false;
    alignas(8) char buffer[4096];
    for (;;) {
        const long length = ::syscall(SYS_getdents64, directory, buffer, sizeof buffer);
        if (length <= 0) break;
        for (long offset = 0; offset < length;) {
            // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, d_name.
            std::uint16_t record = 0;
            std::memcpy(&record, buffer + offset + 16, sizeof record);
            const char* name = buffer + offset + 19;
            int fd = 0;
            bool number = *name != '\0';
            for (const char* c = name; *c != '\0' && number; ++c) {
                number = *c >= '0' && *c <= '9' && fd < INT_MAX / 10;
                fd = fd * 10 + (*c - '0');
            }
            if (number && fd >= lowest && fd != directory) ::close(fd);
            offset += record;
        }
    }
    ::close(directory);
    return true;
}
#endif

void close_descriptors_from(int lowest) {
#ifdef __linux__
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, static_cast<unsigned>(lowest), ~0U, 0U) == 0) return;
#endif
    if (close_listed_descriptors(lowest)) return;
#endif
    // Elsewhere (macOS): every number below the descriptor limit.
    rlimit limit{};
    int highest = 65536;
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
        limit.rlim_cur < static_cast<rlim_t>(INT_MAX))
        highest = static_cast<int>(limit.rlim_cur);
    for (int fd = lowest; fd < highest; ++fd) ::close(fd);
}

// Runs in the forked child: only async-signal-safe calls until execve.
[[noreturn]] void become_child(const char* executable, char* const* argv, char* const* envp,
                               const char* working_directory, int output_fd, int error_report_fd,
                               pid_t parent) {
    ::setpgid(0, 0);
#ifdef __linux__
    // Dies with the supervisor even when it is SIGKILLed; checked against a parent that died
    // between fork and prctl.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
#else
    (void)parent;
#endif
    // Not close-on-exec: it may land on stdin itself; otherwise it is closed below.
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(output_fd, STDOUT_FILENO);
    ::dup2(output_fd, STDERR_FILENO);
    error_report_fd = close_descriptors_for_exec(error_report_fd);
    // Signals ignored or blocked by the supervisor must not leak into the child.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) ::signal(sig, SIG_DFL);
    if (working_directory[0] != '\0' && ::chdir(working_directory) != 0) {
        const int code = errno;
        (void)!::write(error_report_fd, &code, sizeof code);
        ::_exit(127);
    }
    ::execve(executable, argv, envp);
    const int code = errno;
    (void)!::write(error_report_fd, &code, sizeof code);
    ::_exit(127);
}

const char* signal_name(int sig) {
    switch (sig) {
        case SIGKILL:
            return "SIGKILL";
        case SIGTERM:
            return "SIGTERM";
        case SIGINT:
            return "SIGINT";
        case SIGSEGV:
            return "SIGSEGV";
        case SIGABRT:
            return "SIGABRT";
        case SIGHUP:
            return "SIGHUP";
        default:
            return nullptr;
    }
}

}  // namespace

int close_descriptors_for_exec(int keep) {
    constexpr int kKept = STDERR_FILENO + 1;
    if (keep != kKept) {
        ::dup2(keep, kKept);  // dup2 clears close-on-exec: set it again
        ::fcntl(kKept, F_SETFD, FD_CLOEXEC);
    }
    close_descriptors_from(kKept + 1);
    return kKept;
}

std::string ExitStatus::describe() const {
    if (!signaled) return "exit code " + std::to_string(value);
    const char* name = signal_name(value);
    return "killed by signal " + std::to_string(value) +
           (name ? std::string(" (") + name + ")" : "");
}

ChildProcess ChildProcess::spawn(const SpawnRequest& request) {
    std::vector<std::string> argv_strings{request.executable.string()};
    argv_strings.insert(argv_strings.end(), request.arguments.begin(), request.arguments.end());
    std::vector<std::string> env_strings = request.environment;
    auto argv = as_argv(argv_strings);
    auto envp = as_argv(env_strings);
    const std::string executable = request.executable.string();
    const std::string working_directory = request.working_directory.string();

    auto output = open_pipe();
    auto error_report = output ? open_pipe() : std::nullopt;
    if (!output || !error_report) {
        throw Error(ExitCode::kFailure,
                    std::string("cannot create a pipe (") + std::strerror(errno) + ")", executable,
                    "check the system's open-file limit");
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {
        become_child(executable.c_str(), argv.data(), envp.data(), working_directory.c_str(),
                     output->write.get(), error_report->write.get(), parent);
    }
    const int fork_errno = errno;
    output->write.reset();
    error_report->write.reset();
    if (pid < 0) {
        throw Error(ExitCode::kFailure,
                    std::string("cannot start a process (") + std::strerror(fork_errno) + ")",
                    executable, "check the system's process limit");
    }
    // Also set the group from the parent, so a signal sent right after spawn reaches it.
    ::setpgid(pid, pid);

    int exec_errno = 0;
    ssize_t n = 0;
    do {
        n = ::read(error_report->read.get(), &exec_errno, sizeof exec_errno);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof exec_errno)) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        throw Error(ExitCode::kFailure,
                    std::string("cannot run the executable (") + std::strerror(exec_errno) + ")",
                    executable,
                    "check that the file exists and is executable, or reinstall with 'stigmer "
                    "server install'");
    }
    return ChildProcess(pid, output->read.release());
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), output_(other.output_), exit_(other.exit_) {
    other.pid_ = -1;
    other.output_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
        if (output_ >= 0) ::close(static_cast<int>(output_));
        pid_ = other.pid_;
        output_ = other.output_;
        exit_ = other.exit_;
        other.pid_ = -1;
        other.output_ = -1;
    }
    return *this;
}

ChildProcess::~ChildProcess() {
    if (output_ >= 0) ::close(static_cast<int>(output_));
}

std::optional<ExitStatus> ChildProcess::poll() {
    if (exit_ || pid_ <= 0) return exit_;
    // Seen, not yet reaped: while the leader is a zombie its id still names its group, so the
    // helpers it left there are killed without any risk of reaching a group that reused the id.
    siginfo_t seen{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &seen, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        seen.si_pid == pid_) {
        ::kill(-pid_, SIGKILL);
    }
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        ExitStatus s;
        if (WIFSIGNALED(status)) {
            s.signaled = true;
            s.value = WTERMSIG(status);
        } else {
            s.value = WEXITSTATUS(status);
        }
        exit_ = s;
    } else if (r < 0 && errno == ECHILD) {
        exit_ = ExitStatus{false, -1};  // reaped elsewhere: the outcome is unknown
    }
    return exit_;
}

bool process_exists(int pid) {
    if (pid <= 0) return false;
    return ::kill(pid, 0) == 0 || errno == EPERM;
}

bool terminate_process(int pid) {
    return pid > 0 && ::kill(pid, SIGTERM) == 0;
}

bool kill_process(int pid) {
    return pid > 0 && ::kill(pid, SIGKILL) == 0;
}

bool terminate_process_group(int group_id) {
    return group_id > 0 && ::kill(-group_id, SIGTERM) == 0;
}

bool kill_process_group(int group_id) {
    return group_id > 0 && ::kill(-group_id, SIGKILL) == 0;
}

int current_process_id() {
    return static_cast<int>(::getpid());
}

std::vector<std::string> current_environment() {
    std::vector<std::string> entries;
    for (char** e = environ; e && *e; ++e) entries.emplace_back(*e);
    return entries;
}

}  // namespace stigmer::platform
