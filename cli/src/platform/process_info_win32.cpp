// Windows implementation of process_info.h. Another process's command line is only readable
// from its memory; its image path is enough for what this serves. Not compiled on POSIX builds.
#include <windows.h>

#include <system_error>

#include "platform/process_info.h"
#include "platform/utf16_win32.h"

namespace stigmer::platform {

std::string process_command_line(int pid) {
    return utf8_path(process_executable(pid));
}

std::filesystem::path process_executable(int pid) {
    if (pid <= 0) return {};
    HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid));
    if (!process) return {};
    std::wstring path(32768, L'\0');  // the longest path Windows supports
    DWORD size = static_cast<DWORD>(path.size());
    const bool ok = QueryFullProcessImageNameW(process, 0, path.data(), &size) != FALSE;
    CloseHandle(process);
    if (!ok) return {};
    path.resize(size);
    return std::filesystem::path(path);
}

bool process_runs(int pid, const std::filesystem::path& executable) {
    const auto running = process_executable(pid);
    if (running.empty() || executable.empty()) return false;
    // Paths differ in case and 8.3 short names on Windows: compare the files themselves.
    std::error_code ec;
    return std::filesystem::equivalent(running, executable, ec) && !ec;
}

}  // namespace stigmer::platform
