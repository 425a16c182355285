#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

#include <cerrno>
#include <cstring>
#include <vector>

#include "platform/background.h"
#include "platform/exec_descriptors_posix.h"
#include "platform/fd_posix.h"
#include "util/error.h"

namespace stigmer::platform {

std::filesystem::path current_executable() {
#ifdef __APPLE__
    uint32_t size = 0;
    _NSGetExecutablePath(nullptr, &size);
    std::string buffer(size, '\0');
    if (_NSGetExecutablePath(buffer.data(), &size) == 0) {
        return std::filesystem::weakly_canonical(buffer.c_str());
    }
    throw Error(ExitCode::kFailure, "cannot find the stigmer executable", "_NSGetExecutablePath",
                "reinstall stigmer");
#else
    std::error_code ec;
    auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) {
        throw Error(ExitCode::kFailure, "cannot find the stigmer executable", "/proc/self/exe",
                    "check that /proc is mounted");
    }
    return path;
#endif
}

int spawn_detached(const SpawnRequest& request, const std::filesystem::path& log_file) {
    std::vector<std::string> argv_strings{request.executable.string()};
    argv_strings.insert(argv_strings.end(), request.arguments.begin(), request.arguments.end());
    std::vector<char*> argv;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings = request.environment;
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);

    const Fd log(::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (!log) {
        throw Error(ExitCode::kLocalFiles,
                    std::string("cannot open the daemon log (") + std::strerror(errno) + ")",
                    log_file.string(), "check permissions on STIGMER_HOME/logs");
    }
    auto report = open_pipe();
    if (!report) {
        throw Error(ExitCode::kFailure, "cannot create a pipe", request.executable.string(),
                    "check the system's open-file limit");
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setsid();
        // Not close-on-exec: it may land on stdin itself; otherwise it is closed below.
        const int null_fd = ::open("/dev/null", O_RDONLY);
        if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
        ::dup2(log.get(), STDOUT_FILENO);
        ::dup2(log.get(), STDERR_FILENO);
        // The daemon keeps nothing of `server start` (its libcurl socketpair, its lock, the
        // pipes it inherited itself) but the log it writes to.
        const int report_fd = close_descriptors_for_exec(report->write.get());
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGHUP, SIG_IGN);  // belt and braces: no terminal can hang it up
        ::execve(argv[0], argv.data(), envp.data());
        const int code = errno;
        (void)!::write(report_fd, &code, sizeof code);
        ::_exit(127);
    }
    const int fork_errno = errno;
    report->write.reset();
    if (pid < 0) {
        throw Error(ExitCode::kFailure,
                    std::string("cannot start the daemon (") + std::strerror(fork_errno) + ")",
                    request.executable.string(), "check the system's process limit");
    }
    int exec_errno = 0;
    ssize_t n = 0;
    do {
        n = ::read(report->read.get(), &exec_errno, sizeof exec_errno);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof exec_errno)) {
        ::waitpid(pid, nullptr, 0);
        throw Error(ExitCode::kFailure,
                    std::string("cannot start the daemon (") + std::strerror(exec_errno) + ")",
                    request.executable.string(), "reinstall stigmer");
    }
    return pid;
}

bool detached_child_exited(int pid) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    return r == pid || (r < 0 && errno == ECHILD && !process_exists(pid));
}

}  // namespace stigmer::platform
