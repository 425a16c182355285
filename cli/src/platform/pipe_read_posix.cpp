#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "platform/pipe_read.h"

namespace stigmer::platform {

PipeReadResult read_pipe(std::intptr_t handle, std::chrono::milliseconds timeout,
                         std::string& out) {
    const int fd = static_cast<int>(handle);
    pollfd p{fd, POLLIN, 0};
    int rc = 0;
    do {
        rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
    } while (rc < 0 && errno == EINTR);
    if (rc == 0) return PipeReadResult::kTimeout;
    char buffer[8192];
    ssize_t n = 0;
    do {
        n = ::read(fd, buffer, sizeof buffer);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return PipeReadResult::kEndOfFile;
    out.append(buffer, static_cast<std::size_t>(n));
    return PipeReadResult::kData;
}

}  // namespace stigmer::platform
