#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "platform/fd_posix.h"
#include "platform/fs.h"
#include "util/error.h"

namespace stigmer::platform {

namespace {

std::string errno_text() {
    return std::strerror(errno);
}

Error write_error(const std::filesystem::path& path) {
    return Error(ExitCode::kLocalFiles, "cannot write file (" + errno_text() + ")", path.string(),
                 "check free space and permissions on STIGMER_HOME");
}

std::string temporary_pattern(const std::filesystem::path& directory, const std::string& prefix) {
    return (directory / (prefix + "XXXXXX")).string();
}

}  // namespace

struct TemporaryFile::Handle {
    Fd fd;
};

TemporaryFile::TemporaryFile(const std::filesystem::path& directory, const std::string& prefix)
    : handle_(std::make_unique<Handle>()) {
    auto pattern = temporary_pattern(directory, prefix);
    handle_->fd = Fd(::mkostemp(pattern.data(), O_CLOEXEC));
    if (!handle_->fd) throw write_error(pattern);
    path_ = pattern;
}

TemporaryFile::~TemporaryFile() {
    handle_->fd.reset();
    if (!committed_) ::unlink(path_.c_str());
}

void TemporaryFile::write(std::string_view content) {
    std::size_t written = 0;
    while (written < content.size()) {
        const auto n =
            ::write(handle_->fd.get(), content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw write_error(path_);
        }
        written += static_cast<std::size_t>(n);
    }
}

void TemporaryFile::commit(const std::filesystem::path& target) {
    if (::fsync(handle_->fd.get()) != 0 || ::close(handle_->fd.release()) != 0) {
        throw write_error(path_);
    }
    if (::rename(path_.c_str(), target.c_str()) != 0) throw write_error(target);
    committed_ = true;
    sync_directory(target.parent_path());
}

std::filesystem::path create_temporary_directory(const std::filesystem::path& parent,
                                                 const std::string& prefix) {
    auto pattern = temporary_pattern(parent, prefix);
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw Error(ExitCode::kLocalFiles,
                    "cannot create a temporary directory (" + errno_text() + ")", pattern,
                    "check free space and permissions on STIGMER_HOME");
    }
    return pattern;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    TemporaryFile temporary(path.parent_path(), ".tmp-" + path.filename().string() + "-");
    // mkstemp makes it 0600; these files (state, manifests, markers) were always 0644.
    if (::chmod(temporary.path().c_str(), 0644) != 0) throw write_error(temporary.path());
    temporary.write(content);
    temporary.commit(path);
}

void switch_launcher(const std::filesystem::path& launcher, const std::filesystem::path& target) {
    // A symlink cannot be made under a name mkstemp reserved: it is made in a fresh directory.
    const auto directory = create_temporary_directory(launcher.parent_path(),
                                                      ".tmp-" + launcher.filename().string() + "-");
    const auto temp = directory / launcher.filename();
    const auto fail = [&](const std::string& what, const std::filesystem::path& where) {
        const auto error = Error(ExitCode::kLocalFiles, what + " (" + errno_text() + ")",
                                 where.string(), "check permissions on STIGMER_HOME/bin");
        std::error_code ec;
        std::filesystem::remove_all(directory, ec);
        return error;
    };
    if (::symlink(target.c_str(), temp.c_str()) != 0) throw fail("cannot create symlink", temp);
    if (::rename(temp.c_str(), launcher.c_str()) != 0) throw fail("cannot replace", launcher);
    ::rmdir(directory.c_str());
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
    const Fd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return;  // best effort: the rename itself already happened
    ::fsync(fd.get());
}

}  // namespace stigmer::platform
