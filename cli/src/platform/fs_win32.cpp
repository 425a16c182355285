// Windows implementation of the file-system helpers. Not compiled on POSIX builds. Windows has no
// unprivileged symlinks, so a launcher is a copy of the executable, replaced with MoveFileEx.
#include <windows.h>

#include <fstream>

#include "platform/fs.h"
#include "util/error.h"

namespace stigmer::platform {

namespace {
std::filesystem::path temporary_sibling(const std::filesystem::path& path) {
    return path.parent_path() /
           (".tmp-" + path.filename().string() + "-" + std::to_string(GetCurrentProcessId()));
}

void replace_file(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (!MoveFileExW(from.c_str(), to.c_str(),
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        throw Error(ExitCode::kLocalFiles, "cannot replace", to.string(),
                    "stop programs using it and retry");
    }
}
}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    const auto temp = temporary_sibling(path);
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        if (!out)
            throw Error(ExitCode::kLocalFiles, "cannot write file", temp.string(),
                        "check free space");
    }
    replace_file(temp, path);
}

void switch_launcher(const std::filesystem::path& launcher, const std::filesystem::path& target) {
    const auto temp = temporary_sibling(launcher);
    const auto source = target.is_absolute() ? target : launcher.parent_path() / target;
    std::filesystem::copy_file(source, temp, std::filesystem::copy_options::overwrite_existing);
    replace_file(temp, launcher);
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
