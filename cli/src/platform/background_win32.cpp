// Windows implementation of the detached start. Not compiled on POSIX builds.
//
// The daemon gets a hidden console of its own (CREATE_NO_WINDOW, not DETACHED_PROCESS, which
// would make Windows ignore CREATE_NO_WINDOW): it is independent of the terminal that started
// it, so closing that terminal does not reach it; its components share that console, which is
// what lets the daemon send them CTRL_BREAK for a graceful stop, and no console window opens
// for any of them. It is in no kill-on-close job of ours: it must outlive this CLI.
#include <windows.h>

#include <map>
#include <mutex>

#include "platform/background.h"
#include "platform/create_process_win32.h"
#include "platform/utf16_win32.h"
#include "util/error.h"

namespace stigmer::platform {
namespace {

// Handles of the daemons this process started, so their pids stay theirs while we look.
std::mutex& started_mutex() {
    static std::mutex mutex;
    return mutex;
}

std::map<int, HANDLE>& started() {
    static std::map<int, HANDLE> processes;
    return processes;
}

}  // namespace

std::filesystem::path current_executable() {
    std::wstring buffer(MAX_PATH, L'\0');
    for (;;) {
        const DWORD n =
            GetModuleFileNameW(nullptr, buffer.data(), static_cast<DWORD>(buffer.size()));
        if (n == 0) {
            throw Error(ExitCode::kFailure, "cannot find the stigmer executable",
                        "GetModuleFileNameW", "reinstall stigmer");
        }
        if (n < buffer.size()) {
            buffer.resize(n);
            return std::filesystem::path(buffer);
        }
        buffer.resize(buffer.size() * 2);  // truncated: try a larger buffer
    }
}

int spawn_detached(const SpawnRequest& request, const std::filesystem::path& log_file) {
    SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    // FILE_APPEND_DATA alone: every write lands at the end. FILE_SHARE_DELETE: the log can still
    // be rotated (renamed) while the daemon holds it.
    HANDLE log = CreateFileW(log_file.c_str(), FILE_APPEND_DATA | SYNCHRONIZE,
                             FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &inheritable,
                             OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (log == INVALID_HANDLE_VALUE) {
        throw Error(ExitCode::kLocalFiles,
                    "cannot open the daemon log (" + system_message(GetLastError()) + ")",
                    utf8_path(log_file), "check permissions on STIGMER_HOME\\logs");
    }
    HANDLE null_input = open_inheritable_null_input();
    std::vector<HANDLE> inherited{log};
    if (null_input != INVALID_HANDLE_VALUE) inherited.push_back(null_input);
    InheritedHandles attributes(inherited);
    STARTUPINFOEXW startup = redirected_startup(attributes, null_input, log);

    DWORD flags = CREATE_UNICODE_ENVIRONMENT | CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW;
    if (attributes.ok()) flags |= EXTENDED_STARTUPINFO_PRESENT;
    std::wstring line = command_line(request);
    std::wstring environment = environment_block(request.environment);
    const std::wstring directory = request.working_directory.native();
    PROCESS_INFORMATION info{};
    const auto start = [&](DWORD extra) {
        return CreateProcessW(request.executable.c_str(), line.data(), nullptr, nullptr, TRUE,
                              flags | extra, environment.data(),
                              directory.empty() ? nullptr : directory.c_str(), &startup.StartupInfo,
                              &info) != FALSE;
    };
    // Out of any job this CLI runs in (a CI runner's, an ssh session's), which could kill the
    // daemon with the CLI; a job that forbids breaking away refuses that, and then it stays.
    bool started_ok = start(CREATE_BREAKAWAY_FROM_JOB);
    if (!started_ok && GetLastError() == ERROR_ACCESS_DENIED) started_ok = start(0);
    const DWORD code = GetLastError();
    CloseHandle(log);
    if (null_input != INVALID_HANDLE_VALUE) CloseHandle(null_input);
    if (!started_ok) {
        throw Error(ExitCode::kFailure, "cannot start the daemon (" + system_message(code) + ")",
                    utf8_path(request.executable), "reinstall stigmer");
    }
    CloseHandle(info.hThread);
    const int pid = static_cast<int>(info.dwProcessId);
    std::lock_guard lock(started_mutex());
    started()[pid] = info.hProcess;
    return pid;
}

bool detached_child_exited(int pid) {
    {
        std::lock_guard lock(started_mutex());
        const auto it = started().find(pid);
        if (it != started().end()) {
            if (WaitForSingleObject(it->second, 0) != WAIT_OBJECT_0) return false;
            CloseHandle(it->second);
            started().erase(it);
            return true;
        }
    }
    return !process_exists(pid);
}

}  // namespace stigmer::platform
