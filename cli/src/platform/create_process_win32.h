#pragma once
// What CreateProcessW needs from a SpawnRequest: the command line quoted so the child's C
// runtime splits it back into the same arguments, a UTF-16 environment block, and a startup
// attribute list so the child inherits exactly the handles meant for it (other threads may be
// creating inheritable handles at the same time). Included by *_win32.cpp files only.
#include <windows.h>

#include <algorithm>
#include <string>
#include <vector>

#include "platform/process.h"
#include "platform/utf16_win32.h"

namespace stigmer::platform {

// Appends one argument as the Microsoft C runtime parses it back: quotes around anything
// empty or containing blanks or quotes; inside quotes, backslashes are literal except before a
// quote, where 2n backslashes stand for n and 2n+1 for n and a literal quote.
inline void append_quoted_argument(std::wstring& line, const std::wstring& argument) {
    if (!argument.empty() && argument.find_first_of(L" \t\n\v\"") == std::wstring::npos) {
        line += argument;
        return;
    }
    line += L'"';
    std::size_t backslashes = 0;
    for (const wchar_t c : argument) {
        if (c == L'\\') {
            ++backslashes;
            continue;
        }
        line.append(c == L'"' ? backslashes * 2 + 1 : backslashes, L'\\');
        backslashes = 0;
        line += c;
    }
    line.append(backslashes * 2, L'\\');  // doubled: the closing quote follows
    line += L'"';
}

// The program name is parsed differently (no backslash escapes, no quotes possible in a
// path): it is always quoted as is.
inline std::wstring command_line(const SpawnRequest& request) {
    std::wstring line = L"\"" + request.executable.native() + L"\"";
    for (const auto& argument : request.arguments) {
        line += L' ';
        append_quoted_argument(line, to_utf16(argument));
    }
    return line;
}

// "NAME=value\0...\0\0", sorted by name without regard to case as Windows expects.
inline std::wstring environment_block(const std::vector<std::string>& environment) {
    std::vector<std::wstring> entries;
    entries.reserve(environment.size());
    for (const auto& entry : environment) entries.push_back(to_utf16(entry));
    const auto name = [](const std::wstring& entry) {
        return std::wstring_view(entry).substr(0, entry.find(L'=', 1));
    };
    std::stable_sort(entries.begin(), entries.end(), [&](const auto& a, const auto& b) {
        const auto x = name(a);
        const auto y = name(b);
        return CompareStringOrdinal(x.data(), static_cast<int>(x.size()), y.data(),
                                    static_cast<int>(y.size()), TRUE) == CSTR_LESS_THAN;
    });
    std::wstring block;
    for (const auto& entry : entries) {
        block += entry;
        block += L'\0';
    }
    if (block.empty()) block += L'\0';
    block += L'\0';
    return block;
}

// A startup attribute list restricting inheritance to `handles` (which must be inheritable).
class InheritedHandles {
  public:
    explicit InheritedHandles(std::vector<HANDLE> handles) : handles_(std::move(handles)) {
        SIZE_T size = 0;
        InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
        buffer_.resize(size);
        list_ = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(buffer_.data());
        initialized_ = InitializeProcThreadAttributeList(list_, 1, 0, &size) != FALSE;
        ok_ = initialized_ && UpdateProcThreadAttribute(
                                  list_, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles_.data(),
                                  handles_.size() * sizeof(HANDLE), nullptr, nullptr) != FALSE;
    }
    InheritedHandles(const InheritedHandles&) = delete;
    InheritedHandles& operator=(const InheritedHandles&) = delete;
    ~InheritedHandles() {
        if (initialized_) DeleteProcThreadAttributeList(list_);
    }

    bool ok() const { return ok_; }
    LPPROC_THREAD_ATTRIBUTE_LIST list() const { return list_; }

  private:
    std::vector<HANDLE> handles_;
    std::vector<unsigned char> buffer_;
    LPPROC_THREAD_ATTRIBUTE_LIST list_ = nullptr;
    bool initialized_ = false;
    bool ok_ = false;
};

// Startup information for a child whose stdout and stderr go to `output` and whose stdin is
// `null_input` (when it could be opened), inheriting only the handles of `attributes`.
inline STARTUPINFOEXW redirected_startup(const InheritedHandles& attributes, HANDLE null_input,
                                         HANDLE output) {
    STARTUPINFOEXW startup{};
    // The extended size only with the attribute list it announces.
    startup.StartupInfo.cb = attributes.ok() ? sizeof(STARTUPINFOEXW) : sizeof(STARTUPINFOW);
    startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    startup.StartupInfo.hStdInput = null_input != INVALID_HANDLE_VALUE ? null_input : nullptr;
    startup.StartupInfo.hStdOutput = output;
    startup.StartupInfo.hStdError = output;
    startup.lpAttributeList = attributes.list();
    return startup;
}

// The null device, readable and inheritable: a child's stdin.
inline HANDLE open_inheritable_null_input() {
    SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    return CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inheritable,
                       OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
}

}  // namespace stigmer::platform
