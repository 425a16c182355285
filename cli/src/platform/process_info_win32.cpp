// Windows implementation of process_command_line. Another process's command line is only
// readable from its memory; its image path is enough for what this serves (is a recorded pid
// still running our executable?). Not compiled on POSIX builds.
#include <windows.h>

#include "platform/process_info.h"
#include "platform/utf16_win32.h"

namespace stigmer::platform {

std::string process_command_line(int pid) {
    if (pid <= 0) return {};
    HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid));
    if (!process) return {};
    std::wstring path(32768, L'\0');  // the longest path Windows supports
    DWORD size = static_cast<DWORD>(path.size());
    const bool ok = QueryFullProcessImageNameW(process, 0, path.data(), &size) != FALSE;
    CloseHandle(process);
    if (!ok) return {};
    path.resize(size);
    return to_utf8(path);
}

}  // namespace stigmer::platform
