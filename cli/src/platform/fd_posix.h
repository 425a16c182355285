#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <optional>
#include <utility>

namespace stigmer::platform {

// Owns one POSIX file descriptor and closes it when it goes: descriptors are held by this type,
// never as bare ints closed by hand on each path.
class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) reset(std::exchange(other.fd_, -1));
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    explicit operator bool() const { return valid(); }

    // Gives up ownership without closing.
    int release() { return std::exchange(fd_, -1); }
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

  private:
    int fd_ = -1;
};

struct PipeEnds {
    Fd read;
    Fd write;
};

// A pipe whose ends close on exec; nullopt (errno set) when none can be made.
inline std::optional<PipeEnds> open_pipe() {
    int fds[2];
#ifdef __APPLE__  // no pipe2: set the flag right after (our children are started by fork+exec
                  // that closes every other descriptor anyway)
    if (::pipe(fds) != 0) return std::nullopt;
    ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
#else
    if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
#endif
    return PipeEnds{Fd(fds[0]), Fd(fds[1])};
}

}  // namespace stigmer::platform
