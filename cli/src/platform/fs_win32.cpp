// Windows implementation of the file-system helpers. Not compiled on POSIX builds. Windows has no
// unprivileged symlinks, so a launcher is a copy of the executable, replaced with MoveFileEx.
#include <windows.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "platform/fs.h"
#include "util/error.h"

namespace stigmer::platform {

namespace {

void replace_file(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (!MoveFileExW(from.c_str(), to.c_str(),
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        throw Error(ExitCode::kLocalFiles, "cannot replace", to.string(),
                    "stop programs using it and retry");
    }
}

// What mkstemp and mkdtemp do: six random letters or digits after `prefix`, tried until one is
// new (creating it fails with "already exists" otherwise).
template <typename Create>
std::filesystem::path create_unique(const std::filesystem::path& directory,
                                    const std::string& prefix, Create create) {
    static constexpr char kLetters[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    thread_local std::mt19937_64 random{std::random_device{}()};
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string name = prefix;
        for (int i = 0; i < 6; ++i) name += kLetters[random() % (sizeof kLetters - 1)];
        const auto path = directory / name;
        if (create(path)) return path;
        const auto error = GetLastError();
        if (error != ERROR_FILE_EXISTS && error != ERROR_ALREADY_EXISTS) break;
    }
    throw Error(ExitCode::kLocalFiles, "cannot create a temporary file",
                (directory / (prefix + "XXXXXX")).string(),
                "check free space and permissions on STIGMER_HOME");
}

}  // namespace

struct TemporaryFile::Handle {
    HANDLE file = INVALID_HANDLE_VALUE;
};

TemporaryFile::TemporaryFile(const std::filesystem::path& directory, const std::string& prefix)
    : handle_(std::make_unique<Handle>()) {
    path_ = create_unique(directory, prefix, [&](const std::filesystem::path& path) {
        handle_->file = CreateFileW(path.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                                    FILE_ATTRIBUTE_NORMAL, nullptr);
        return handle_->file != INVALID_HANDLE_VALUE;
    });
}

TemporaryFile::~TemporaryFile() {
    if (handle_->file != INVALID_HANDLE_VALUE) CloseHandle(handle_->file);
    if (!committed_) DeleteFileW(path_.c_str());
}

void TemporaryFile::write(std::string_view content) {
    while (!content.empty()) {
        DWORD written = 0;
        const auto chunk = static_cast<DWORD>(std::min<std::size_t>(content.size(), 1u << 30));
        if (!WriteFile(handle_->file, content.data(), chunk, &written, nullptr)) {
            throw Error(ExitCode::kLocalFiles, "cannot write file", path_.string(),
                        "check free space");
        }
        content.remove_prefix(written);
    }
}

void TemporaryFile::commit(const std::filesystem::path& target) {
    const bool flushed = FlushFileBuffers(handle_->file) != 0;
    const bool closed = CloseHandle(handle_->file) != 0;
    handle_->file = INVALID_HANDLE_VALUE;
    if (!flushed || !closed) {
        throw Error(ExitCode::kLocalFiles, "cannot write file", path_.string(), "check free space");
    }
    replace_file(path_, target);
    committed_ = true;
}

std::filesystem::path create_temporary_directory(const std::filesystem::path& parent,
                                                 const std::string& prefix) {
    return create_unique(parent, prefix, [](const std::filesystem::path& path) {
        return CreateDirectoryW(path.c_str(), nullptr) != 0;
    });
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    TemporaryFile temporary(path.parent_path(), ".tmp-" + path.filename().string() + "-");
    temporary.write(content);
    temporary.commit(path);
}

void switch_launcher(const std::filesystem::path& launcher, const std::filesystem::path& target) {
    const auto directory = create_temporary_directory(launcher.parent_path(),
                                                      ".tmp-" + launcher.filename().string() + "-");
    try {
        const auto temp = directory / launcher.filename();
        const auto source = target.is_absolute() ? target : launcher.parent_path() / target;
        std::filesystem::copy_file(source, temp, std::filesystem::copy_options::overwrite_existing);
        replace_file(temp, launcher);
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove_all(directory, ec);
        throw;
    }
    std::error_code ec;
    std::filesystem::remove(directory, ec);
    write_file_atomically(launcher.string() + ".target", target.string());
}

std::filesystem::path launcher_target(const std::filesystem::path& launcher) {
    std::ifstream in(launcher.string() + ".target");
    std::string target;
    std::getline(in, target);
    return target;
}

void make_executable(const std::filesystem::path&) {}  // executability comes from the extension

void rename_or_throw(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (!MoveFileExW(from.c_str(), to.c_str(), MOVEFILE_WRITE_THROUGH)) {
        throw Error(ExitCode::kLocalFiles, "cannot rename " + from.string(), to.string(),
                    "check that STIGMER_HOME is one writable file system");
    }
}

void sync_directory(const std::filesystem::path&) {}  // MOVEFILE_WRITE_THROUGH already flushes

}  // namespace stigmer::platform
