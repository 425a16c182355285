#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "platform/file_lock.h"
#include "util/error.h"
#include "util/files.h"

namespace stigmer::platform {

namespace {

int open_lock_file(const std::filesystem::path& path) {
    create_directories_or_throw(path.parent_path());
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw Error(ExitCode::kLocalFiles,
                    std::string("cannot open lock file (") + std::strerror(errno) + ")",
                    path.string(), "check permissions on STIGMER_HOME");
    }
    return fd;
}

[[noreturn]] void throw_lock_error(int fd, int error, const std::filesystem::path& path) {
    ::close(fd);
    throw Error(ExitCode::kLocalFiles, std::string("cannot lock (") + std::strerror(error) + ")",
                path.string(), "check that STIGMER_HOME is on a local file system");
}

}  // namespace

FileLock FileLock::acquire(const std::filesystem::path& path,
                           const std::function<void()>& on_wait) {
    const int fd = open_lock_file(path);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) throw_lock_error(fd, errno, path);
        if (on_wait) on_wait();
        int rc = 0;
        do {
            rc = ::flock(fd, LOCK_EX);
        } while (rc != 0 && errno == EINTR);
        if (rc != 0) throw_lock_error(fd, errno, path);
    }
    return FileLock(fd);
}

std::optional<FileLock> FileLock::try_acquire(const std::filesystem::path& path) {
    const int fd = open_lock_file(path);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) throw_lock_error(fd, errno, path);
        ::close(fd);
        return std::nullopt;
    }
    return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : handle_(other.handle_) {
    other.handle_ = -1;
}

FileLock::~FileLock() {
    if (handle_ >= 0) ::close(static_cast<int>(handle_));  // closing releases the flock
}

}  // namespace stigmer::platform
