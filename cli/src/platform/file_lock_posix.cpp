#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "platform/file_lock.h"
#include "util/error.h"
#include "util/files.h"

namespace stigmer::platform {

FileLock FileLock::acquire(const std::filesystem::path& path,
                           const std::function<void()>& on_wait) {
    create_directories_or_throw(path.parent_path());
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw Error(ExitCode::kLocalFiles,
                    std::string("cannot open lock file (") + std::strerror(errno) + ")",
                    path.string(), "check permissions on STIGMER_HOME");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) {
            const int saved = errno;
            ::close(fd);
            throw Error(ExitCode::kLocalFiles,
                        std::string("cannot lock (") + std::strerror(saved) + ")", path.string(),
                        "check that STIGMER_HOME is on a local file system");
        }
        if (on_wait) on_wait();
        int rc = 0;
        do {
            rc = ::flock(fd, LOCK_EX);
        } while (rc != 0 && errno == EINTR);
        if (rc != 0) {
            const int saved = errno;
            ::close(fd);
            throw Error(ExitCode::kLocalFiles,
                        std::string("cannot lock (") + std::strerror(saved) + ")", path.string(),
                        "check that STIGMER_HOME is on a local file system");
        }
    }
    return FileLock(fd);
}

std::optional<FileLock> FileLock::try_acquire(const std::filesystem::path& path) {
    create_directories_or_throw(path.parent_path());
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw Error(ExitCode::kLocalFiles,
                    std::string("cannot open lock file (") + std::strerror(errno) + ")",
                    path.string(), "check permissions on STIGMER_HOME");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
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
