// Windows implementation of read_pipe. Anonymous pipes cannot be waited on, so the pipe is
// polled with PeekNamedPipe until bytes arrive or the timeout passes. Not compiled on POSIX.
#include <windows.h>

#include <algorithm>

#include "platform/pipe_read.h"

namespace stigmer::platform {

PipeReadResult read_pipe(std::intptr_t handle, std::chrono::milliseconds timeout,
                         std::string& out) {
    using Clock = std::chrono::steady_clock;
    HANDLE pipe = reinterpret_cast<HANDLE>(handle);
    const auto deadline = Clock::now() + timeout;
    DWORD available = 0;
    for (;;) {
        // Fails with ERROR_BROKEN_PIPE once every writer has closed its end and all is read.
        if (!PeekNamedPipe(pipe, nullptr, 0, nullptr, &available, nullptr)) {
            return PipeReadResult::kEndOfFile;
        }
        if (available > 0) break;
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return PipeReadResult::kTimeout;
        Sleep(static_cast<DWORD>(std::min<long long>(left.count(), 10)));
    }
    char buffer[8192];
    DWORD n = 0;
    if (!ReadFile(pipe, buffer, std::min<DWORD>(available, sizeof buffer), &n, nullptr) || n == 0) {
        return PipeReadResult::kEndOfFile;
    }
    out.append(buffer, n);
    return PipeReadResult::kData;
}

}  // namespace stigmer::platform
