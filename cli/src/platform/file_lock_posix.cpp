#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sysmacros.h>
#endif

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "platform/fd_posix.h"
#include "platform/file_lock.h"
#include "util/error.h"
#include "util/files.h"

namespace stigmer::platform {

namespace {

[[noreturn]] void throw_open_error(int error, const std::filesystem::path& path) {
    throw Error(ExitCode::kLocalFiles,
                std::string("cannot open lock file (") + std::strerror(error) + ")", path.string(),
                "check permissions on STIGMER_HOME");
}

Fd open_lock_file(const std::filesystem::path& path) {
    create_directories_or_throw(path.parent_path());
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd) throw_open_error(errno, path);
    return fd;
}

[[noreturn]] void throw_lock_error(int error, const std::filesystem::path& path) {
    throw Error(ExitCode::kLocalFiles, std::string("cannot lock (") + std::strerror(error) + ")",
                path.string(), "check that STIGMER_HOME is on a local file system");
}

#ifdef __linux__
template <typename Number>
bool parse_number(std::string_view text, Number& value, int base) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    return error == std::errc() && end == text.data() + text.size();
}

// The process that took the flock on the file open at `fd`, from /proc/locks; 0 if none is
// listed. Lines read "1: FLOCK  ADVISORY  WRITE 1234 fe:00:5678 0 EOF" (pid, then
// major:minor:inode), waiters "1: -> FLOCK ...".
int flock_holder_pid(int fd) {
    struct stat file {};
    if (::fstat(fd, &file) != 0) return 0;
    std::ifstream locks("/proc/locks");
    std::string line;
    while (std::getline(locks, line)) {
        std::istringstream fields(line);
        std::string number, kind, mode, access, where;
        int pid = 0;
        if (!(fields >> number >> kind) || kind != "FLOCK") continue;
        if (!(fields >> mode >> access >> pid >> where) || pid <= 0) continue;
        const auto first = where.find(':');
        const auto second = where.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos) continue;
        const std::string_view text(where);
        unsigned int major_number = 0;
        unsigned int minor_number = 0;
        unsigned long long inode = 0;
        if (parse_number(text.substr(0, first), major_number, 16) &&
            parse_number(text.substr(first + 1, second - first - 1), minor_number, 16) &&
            parse_number(text.substr(second + 1), inode, 10) &&
            major_number == major(file.st_dev) && minor_number == minor(file.st_dev) &&
            inode == file.st_ino) {
            return pid;
        }
    }
    return 0;
}
#endif

}  // namespace

FileLock FileLock::acquire(const std::filesystem::path& path,
                           const std::function<void()>& on_wait) {
    Fd fd = open_lock_file(path);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) throw_lock_error(errno, path);
        if (on_wait) on_wait();
        int rc = 0;
        do {
            rc = ::flock(fd.get(), LOCK_EX);
        } while (rc != 0 && errno == EINTR);
        if (rc != 0) throw_lock_error(errno, path);
    }
    return FileLock(fd.release());
}

std::optional<FileLock> FileLock::try_acquire(const std::filesystem::path& path) {
    Fd fd = open_lock_file(path);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) throw_lock_error(errno, path);
        return std::nullopt;
    }
    return FileLock(fd.release());
}

FileLock::Holder FileLock::holder(const std::filesystem::path& path) {
    const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd) {
        if (errno == ENOENT) return {};
        throw_open_error(errno, path);
    }
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return {};  // closing fd releases it
    if (errno != EWOULDBLOCK) throw_lock_error(errno, path);
    Holder found{true, 0};
#ifdef __linux__
    found.pid = flock_holder_pid(fd.get());
#endif
    // Elsewhere nothing names a flock's holder: F_GETLK reports it with pid -1 (macOS).
    return found;
}

FileLock::FileLock(FileLock&& other) noexcept : handle_(other.handle_) {
    other.handle_ = -1;
}

FileLock::~FileLock() {
    if (handle_ >= 0) ::close(static_cast<int>(handle_));  // closing releases the flock
}

}  // namespace stigmer::platform
