#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>

#include "platform/fs.h"
#include "util/error.h"

namespace stigmer::platform {

namespace {

std::string errno_text() {
    return std::strerror(errno);
}

std::filesystem::path temporary_sibling(const std::filesystem::path& path) {
    static std::mt19937_64 random{std::random_device{}()};
    return path.parent_path() /
           (".tmp-" + path.filename().string() + "-" + std::to_string(::getpid()) + "-" +
            std::to_string(random() % 1000000));
}

Error write_error(const std::filesystem::path& path) {
    return Error(ExitCode::kLocalFiles, "cannot write file (" + errno_text() + ")", path.string(),
                 "check free space and permissions on STIGMER_HOME");
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    const auto temp = temporary_sibling(path);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw write_error(temp);
    std::size_t written = 0;
    while (written < content.size()) {
        const auto n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            const auto error = write_error(temp);
            ::close(fd);
            ::unlink(temp.c_str());
            throw error;
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const auto error = write_error(temp);
        ::unlink(temp.c_str());
        throw error;
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const auto error = write_error(path);
        ::unlink(temp.c_str());
        throw error;
    }
    sync_directory(path.parent_path());
}

void switch_launcher(const std::filesystem::path& launcher, const std::filesystem::path& target) {
    const auto temp = temporary_sibling(launcher);
    if (::symlink(target.c_str(), temp.c_str()) != 0) {
        throw Error(ExitCode::kLocalFiles, "cannot create symlink (" + errno_text() + ")",
                    temp.string(), "check permissions on STIGMER_HOME/bin");
    }
    if (::rename(temp.c_str(), launcher.c_str()) != 0) {
        const auto error = Error(ExitCode::kLocalFiles, "cannot replace (" + errno_text() + ")",
                                 launcher.string(), "check permissions on STIGMER_HOME/bin");
        ::unlink(temp.c_str());
        throw error;
    }
    sync_directory(launcher.parent_path());
}

std::filesystem::path launcher_target(const std::filesystem::path& launcher) {
    std::error_code ec;
    auto target = std::filesystem::read_symlink(launcher, ec);
    return ec ? std::filesystem::path() : target;
}

void make_executable(const std::filesystem::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        throw Error(ExitCode::kLocalFiles, "cannot stat (" + errno_text() + ")", path.string(),
                    "check permissions on STIGMER_HOME");
    }
    mode_t mode = info.st_mode | S_IXUSR;
    if (mode & S_IRGRP) mode |= S_IXGRP;
    if (mode & S_IROTH) mode |= S_IXOTH;
    if (::chmod(path.c_str(), mode) != 0) {
        throw Error(ExitCode::kLocalFiles, "cannot make executable (" + errno_text() + ")",
                    path.string(), "check permissions on STIGMER_HOME");
    }
}

void rename_or_throw(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) {
        throw Error(ExitCode::kLocalFiles,
                    "cannot rename " + from.string() + " (" + errno_text() + ")", to.string(),
                    "check that STIGMER_HOME is one writable file system");
    }
}

void sync_directory(const std::filesystem::path& directory) {
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;  // best effort: the rename itself already happened
    ::fsync(fd);
    ::close(fd);
}

}  // namespace stigmer::platform
