#ifdef __APPLE__
#include <libproc.h>
#endif

#include <fstream>
#include <iterator>
#include <string_view>
#include <system_error>

#include "platform/process_info.h"

namespace stigmer::platform {

std::string process_command_line(int pid) {
#ifdef __linux__
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (char& c : raw) {
        if (c == '\0') c = ' ';
    }
    while (!raw.empty() && raw.back() == ' ') raw.pop_back();
    return raw;
#else
    return process_executable(pid).string();
#endif
}

std::filesystem::path process_executable(int pid) {
    if (pid <= 0) return {};
#ifdef __APPLE__
    char path[PROC_PIDPATHINFO_MAXSIZE];
    if (proc_pidpath(pid, path, sizeof path) <= 0) return {};
    return std::filesystem::path(path);
#elif defined(__linux__)
    std::error_code ec;
    std::string path =
        std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec).string();
    if (ec) return {};
    // The kernel marks a file unlinked (or replaced by a rename) since the process started.
    constexpr std::string_view kDeleted = " (deleted)";
    if (path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
    return std::filesystem::path(path);
#else
    return {};
#endif
}

bool process_runs(int pid, const std::filesystem::path& executable) {
    const auto running = process_executable(pid);
    if (running.empty() || executable.empty()) return false;
    std::error_code ec;
    const auto expected = std::filesystem::weakly_canonical(executable, ec);
    return !ec && running == expected;
}

}  // namespace stigmer::platform
