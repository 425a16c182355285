// Windows implementation of child processes. Each child runs in a Job Object that kills all
// its processes when the job's last handle closes. Only this process holds those handles, and
// Windows closes them when it dies, however it dies: the job is both the POSIX process group
// and Linux's parent-death signal. Not compiled on POSIX builds.
#include <windows.h>

#include <cstdio>
#include <cwchar>
#include <map>
#include <mutex>

#include "platform/create_process_win32.h"
#include "platform/process.h"
#include "platform/utf16_win32.h"
#include "util/error.h"

namespace stigmer::platform {
namespace {

// The exit code of processes stopped by force (what `taskkill /f` gives them too).
constexpr UINT kForcedExitCode = 1;

// What this process knows about the children it started, by pid. A pid cannot be reused while
// its process handle is open, so the key stays unambiguous. The job outlives the ChildProcess
// object while anything still runs in it: closing it would kill them, and a ChildProcess
// going away must never kill (POSIX children outlive their object too).
struct Tracked {
    HANDLE process = nullptr;
    HANDLE job = nullptr;
    bool console_group = false;  // shares our console in a group of its own: CTRL_BREAK reaches it
    bool owned = true;           // a ChildProcess still refers to it
};

std::mutex& registry_mutex() {
    static std::mutex mutex;
    return mutex;
}

std::map<int, Tracked>& registry() {
    static std::map<int, Tracked> children;
    return children;
}

bool job_is_empty(HANDLE job) {
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info{};
    return QueryInformationJobObject(job, JobObjectBasicAccountingInformation, &info, sizeof info,
                                     nullptr) &&
           info.ActiveProcesses == 0;
}

void close_tracked(const Tracked& tracked) {
    CloseHandle(tracked.process);
    CloseHandle(tracked.job);  // kills whatever is still in it
}

// Whether this process has a console its children can share (a terminal, or the hidden one
// the detached daemon is given); without one, each console child would open a window.
bool has_console() {
    DWORD pid = 0;
    return GetConsoleProcessList(&pid, 1) > 0;
}

HANDLE create_kill_on_close_job() {
    HANDLE job = CreateJobObjectW(nullptr, nullptr);  // not inheritable: only we hold it
    if (!job) return nullptr;
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits)) {
        CloseHandle(job);
        return nullptr;
    }
    return job;
}

[[noreturn]] void throw_start_failure(const SpawnRequest& request, DWORD code) {
    const bool missing = code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND ||
                         code == ERROR_BAD_EXE_FORMAT || code == ERROR_ACCESS_DENIED;
    if (code == ERROR_DIRECTORY && !request.working_directory.empty()) {
        throw Error(ExitCode::kFailure,
                    "cannot enter the working directory (" + system_message(code) + ")",
                    utf8_path(request.working_directory), "check that the directory exists");
    }
    throw Error(ExitCode::kFailure,
                (missing ? "cannot run the executable (" : "cannot start a process (") +
                    system_message(code) + ")",
                utf8_path(request.executable),
                missing ? "check that the file exists and is executable, or reinstall with "
                          "'stigmer server install'"
                        : "check the system's process limit");
}

const char* status_name(DWORD code) {
    switch (code) {
        case 0xC0000005:
            return "access violation";
        case 0xC00000FD:
            return "stack overflow";
        case 0xC000013A:
            return "Ctrl-C";
        case 0xC0000409:
            return "fail-fast";
        case 0xC0000017:
            return "out of memory";
        default:
            return nullptr;
    }
}

}  // namespace

std::string ExitStatus::describe() const {
    const auto code = static_cast<DWORD>(value);
    // Crashes end with an NTSTATUS code (0xC...); hexadecimal is how Windows documents them.
    if (code < 0x80000000u) return "exit code " + std::to_string(value);
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08lX", static_cast<unsigned long>(code));
    const char* name = status_name(code);
    return std::string("exit code ") + hex + (name ? std::string(" (") + name + ")" : "");
}

ChildProcess ChildProcess::spawn(const SpawnRequest& request) {
    SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    HANDLE read_end = nullptr;
    HANDLE write_end = nullptr;
    if (!CreatePipe(&read_end, &write_end, &inheritable, 0)) {
        throw Error(ExitCode::kFailure,
                    "cannot create a pipe (" + system_message(GetLastError()) + ")",
                    utf8_path(request.executable), "check the system's handle limit");
    }
    SetHandleInformation(read_end, HANDLE_FLAG_INHERIT, 0);  // ours alone: EOF when they exit
    HANDLE null_input = open_inheritable_null_input();
    HANDLE job = create_kill_on_close_job();
    const auto release_handles = [&] {
        CloseHandle(write_end);
        if (null_input != INVALID_HANDLE_VALUE) CloseHandle(null_input);
    };
    if (!job) {
        const DWORD code = GetLastError();
        release_handles();
        CloseHandle(read_end);
        throw Error(ExitCode::kFailure, "cannot create a job object (" + system_message(code) + ")",
                    utf8_path(request.executable), "check the system's handle limit");
    }

    std::vector<HANDLE> inherited{write_end};
    if (null_input != INVALID_HANDLE_VALUE) inherited.push_back(null_input);
    InheritedHandles attributes(inherited);
    STARTUPINFOEXW startup = redirected_startup(attributes, null_input, write_end);

    // A group of its own, so CTRL_BREAK can be sent to it alone (and the terminal's Ctrl-C does
    // not reach it: the daemon decides the stop order). Started suspended, so it is in the job
    // before it can start helpers of its own.
    const bool console = has_console();
    DWORD flags = CREATE_UNICODE_ENVIRONMENT | CREATE_NEW_PROCESS_GROUP | CREATE_SUSPENDED;
    if (!console) flags |= CREATE_NO_WINDOW;
    if (attributes.ok()) flags |= EXTENDED_STARTUPINFO_PRESENT;
    std::wstring line = command_line(request);
    std::wstring environment = environment_block(request.environment);
    const std::wstring directory = request.working_directory.native();
    PROCESS_INFORMATION info{};
    const BOOL started = CreateProcessW(
        request.executable.c_str(), line.data(), nullptr, nullptr, TRUE, flags, environment.data(),
        directory.empty() ? nullptr : directory.c_str(), &startup.StartupInfo, &info);
    const DWORD start_error = GetLastError();
    release_handles();
    if (!started) {
        CloseHandle(read_end);
        CloseHandle(job);
        throw_start_failure(request, start_error);
    }
    if (!AssignProcessToJobObject(job, info.hProcess)) {
        const DWORD code = GetLastError();
        TerminateProcess(info.hProcess, kForcedExitCode);
        CloseHandle(info.hThread);
        CloseHandle(info.hProcess);
        CloseHandle(read_end);
        CloseHandle(job);
        throw Error(ExitCode::kFailure,
                    "cannot put the process in a job object (" + system_message(code) + ")",
                    utf8_path(request.executable), "check the system's handle limit");
    }
    ResumeThread(info.hThread);
    CloseHandle(info.hThread);

    const int pid = static_cast<int>(info.dwProcessId);
    {
        std::lock_guard lock(registry_mutex());
        auto& children = registry();
        // A stale entry for a reused pid: that process ended long ago and nothing owns it.
        if (auto stale = children.find(pid); stale != children.end()) close_tracked(stale->second);
        children[pid] = Tracked{info.hProcess, job, console, true};
    }
    return ChildProcess(pid, reinterpret_cast<std::intptr_t>(read_end));
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), output_(other.output_), exit_(other.exit_) {
    other.pid_ = -1;
    other.output_ = -1;
}

namespace {

// The ChildProcess for `pid` is gone: forget the child once nothing runs in its job.
void release_child(int pid) {
    std::lock_guard lock(registry_mutex());
    auto& children = registry();
    const auto it = children.find(pid);
    if (it == children.end()) return;
    if (WaitForSingleObject(it->second.process, 0) == WAIT_OBJECT_0 &&
        job_is_empty(it->second.job)) {
        close_tracked(it->second);
        children.erase(it);
    } else {
        it->second.owned = false;  // kill_process_group(pid) can still reach its job
    }
}

}  // namespace

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
        if (output_ != -1) CloseHandle(reinterpret_cast<HANDLE>(output_));
        if (pid_ > 0) release_child(pid_);
        pid_ = other.pid_;
        output_ = other.output_;
        exit_ = other.exit_;
        other.pid_ = -1;
        other.output_ = -1;
    }
    return *this;
}

ChildProcess::~ChildProcess() {
    if (output_ != -1) CloseHandle(reinterpret_cast<HANDLE>(output_));
    if (pid_ > 0) release_child(pid_);
}

std::optional<ExitStatus> ChildProcess::poll() {
    if (exit_ || pid_ <= 0) return exit_;
    std::lock_guard lock(registry_mutex());
    const auto it = registry().find(pid_);
    if (it == registry().end()) {
        exit_ = ExitStatus{false, -1};  // not ours any more: the outcome is unknown
        return exit_;
    }
    DWORD code = 0;
    if (WaitForSingleObject(it->second.process, 0) == WAIT_OBJECT_0 &&
        GetExitCodeProcess(it->second.process, &code)) {
        exit_ = ExitStatus{false, static_cast<int>(code)};
        TerminateJobObject(it->second.job, kForcedExitCode);  // what it left behind goes too
    }
    return exit_;
}

bool process_exists(int pid) {
    if (pid <= 0) return false;
    HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE,
                                 static_cast<DWORD>(pid));
    if (!process) return GetLastError() == ERROR_ACCESS_DENIED;  // someone else's
    const bool running = WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
    CloseHandle(process);
    return running;
}

// Windows has no polite "please stop" for an arbitrary process: both end it.
bool terminate_process(int pid) {
    return kill_process(pid);
}

bool kill_process(int pid) {
    if (pid <= 0) return false;
    HANDLE process = OpenProcess(PROCESS_TERMINATE, FALSE, static_cast<DWORD>(pid));
    if (!process) return false;
    const bool done = TerminateProcess(process, kForcedExitCode) != FALSE;
    CloseHandle(process);
    return done;
}

// A child of ours: CTRL_BREAK to its console group when it shares our console (console
// programs treat it as an interrupt), else the job ends. Never CTRL_BREAK to a pid that is not
// such a group: Windows would then deliver it to every process on the console, us included.
bool terminate_process_group(int group_id) {
    if (group_id <= 0) return false;
    {
        std::lock_guard lock(registry_mutex());
        const auto it = registry().find(group_id);
        if (it != registry().end()) {
            if (it->second.console_group &&
                GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, static_cast<DWORD>(group_id))) {
                return true;
            }
            return TerminateJobObject(it->second.job, kForcedExitCode) != FALSE;
        }
    }
    return terminate_process(group_id);  // a leftover of an earlier daemon: its job died with it
}

bool kill_process_group(int group_id) {
    if (group_id <= 0) return false;
    {
        std::lock_guard lock(registry_mutex());
        auto& children = registry();
        const auto it = children.find(group_id);
        if (it != children.end()) {
            const bool done = TerminateJobObject(it->second.job, kForcedExitCode) != FALSE;
            if (!it->second.owned) {
                close_tracked(it->second);
                children.erase(it);
            }
            return done;
        }
    }
    return kill_process(group_id);
}

int current_process_id() {
    return static_cast<int>(GetCurrentProcessId());
}

std::vector<std::string> current_environment() {
    std::vector<std::string> entries;
    wchar_t* block = GetEnvironmentStringsW();
    if (!block) return entries;
    for (const wchar_t* entry = block; *entry; entry += std::wcslen(entry) + 1) {
        // "=C:=C:\dir" entries are the shell's per-drive directories, not variables.
        if (entry[0] != L'=') entries.push_back(to_utf8(entry));
    }
    FreeEnvironmentStringsW(block);
    return entries;
}

}  // namespace stigmer::platform
