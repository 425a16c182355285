// Windows implementation of FileLock (LockFileEx). Not compiled on POSIX builds.
#include <windows.h>

#include "platform/file_lock.h"
#include "util/error.h"
#include "util/files.h"

namespace stigmer::platform {
namespace {

// Creates the lock file (and its directory) if needed and opens it for locking.
HANDLE open_lock_file(const std::filesystem::path& path) {
    create_directories_or_throw(path.parent_path());
    HANDLE file =
        CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                    nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE) {
        throw Error(ExitCode::kLocalFiles, "cannot open lock file", path.string(),
                    "check permissions on STIGMER_HOME");
    }
    return file;
}

}  // namespace

FileLock FileLock::acquire(const std::filesystem::path& path,
                           const std::function<void()>& on_wait) {
    HANDLE file = open_lock_file(path);
    OVERLAPPED overlapped{};
    if (!LockFileEx(file, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0,
                    &overlapped)) {
        if (on_wait) on_wait();
        if (!LockFileEx(file, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &overlapped)) {
            CloseHandle(file);
            throw Error(ExitCode::kLocalFiles, "cannot lock", path.string(),
                        "check that STIGMER_HOME is on a local file system");
        }
    }
    return FileLock(reinterpret_cast<std::intptr_t>(file));
}

std::optional<FileLock> FileLock::try_acquire(const std::filesystem::path& path) {
    HANDLE file = open_lock_file(path);
    OVERLAPPED overlapped{};
    if (!LockFileEx(file, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0,
                    &overlapped)) {
        CloseHandle(file);
        return std::nullopt;
    }
    return FileLock(reinterpret_cast<std::intptr_t>(file));
}

FileLock::Holder FileLock::holder(const std::filesystem::path& path) {
    HANDLE file =
        CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                    nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE) {
        const DWORD error = GetLastError();
        if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) return {};
        throw Error(ExitCode::kLocalFiles, "cannot open lock file", path.string(),
                    "check permissions on STIGMER_HOME");
    }
    OVERLAPPED overlapped{};
    const bool free = LockFileEx(file, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0,
                                 &overlapped) != FALSE;
    CloseHandle(file);  // releases the lock if we took it
    // LockFileEx does not tell who holds a lock.
    return Holder{!free, 0};
}

FileLock::FileLock(FileLock&& other) noexcept : handle_(other.handle_) {
    other.handle_ = -1;
}

FileLock::~FileLock() {
    if (handle_ != -1) CloseHandle(reinterpret_cast<HANDLE>(handle_));
}

}  // namespace stigmer::platform
