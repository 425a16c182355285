// POSIX event loop: one poll() over the watched descriptors and a self-pipe that signal
// handlers, other threads and post() write to.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <vector>

#include "platform/event_loop.h"
#include "platform/fd_posix.h"
#include "util/error.h"

namespace stigmer::platform {

namespace {
constexpr std::size_t kReadChunk = 16 * 1024;

void set_nonblocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}
}  // namespace

struct EventLoop::State {
    struct Watch {
        int fd = -1;
        bool output = false;  // a child's pipe: read here; otherwise on_ready reads
        OnData on_data;
        OnEnd on_end;
        OnReady on_ready;
        bool removed = false;
    };
    Fd wake_read;
    Fd wake_write;
    std::vector<Watch> watches;
    int depth = 0;            // run_once() calls under way: one may run inside another's callback
    std::mutex posted_mutex;  // post() is the one member other threads call
    std::deque<std::function<void()>> posted;

    Watch* find(int fd) {
        for (auto& w : watches) {
            if (w.fd == fd && !w.removed) return &w;
        }
        return nullptr;
    }
};

EventLoop::EventLoop() : state_(std::make_unique<State>()) {
    auto pipe = open_pipe();
    if (!pipe) {
        throw Error(
            ExitCode::kFailure,
            std::string("cannot create the daemon's wake-up pipe (") + std::strerror(errno) + ")",
            "pipe", "check the system's open-file limit");
    }
    // Neither end may block: a signal handler writes, and the loop empties it.
    set_nonblocking(pipe->read.get());
    set_nonblocking(pipe->write.get());
    state_->wake_read = std::move(pipe->read);
    state_->wake_write = std::move(pipe->write);
}

EventLoop::~EventLoop() = default;

void EventLoop::watch_output(Handle pipe, OnData on_data, OnEnd on_end) {
    const int fd = static_cast<int>(pipe);
    set_nonblocking(fd);
    state_->watches.push_back({fd, true, std::move(on_data), std::move(on_end), {}, false});
}

void EventLoop::watch_readable(Handle handle, OnReady on_ready) {
    state_->watches.push_back(
        {static_cast<int>(handle), false, {}, {}, std::move(on_ready), false});
}

void EventLoop::unwatch(Handle handle) {
    // Marked, not erased: a callback may unwatch while run_once walks the list.
    if (auto* w = state_->find(static_cast<int>(handle))) w->removed = true;
}

void EventLoop::post(std::function<void()> task) {
    {
        std::lock_guard lock(state_->posted_mutex);
        state_->posted.push_back(std::move(task));
    }
    wake();
}

void EventLoop::wake() {
    // Async-signal-safe. A full pipe already holds a wake-up: the write may fail.
    const char byte = 1;
    (void)!::write(state_->wake_write.get(), &byte, 1);
}

void EventLoop::run_once(std::chrono::milliseconds timeout, bool outputs_only) {
    auto& watches = state_->watches;
    // Removed watches are dropped only by the outermost call: an outer one walks by index.
    if (state_->depth == 0) std::erase_if(watches, [](const State::Watch& w) { return w.removed; });
    ++state_->depth;
    struct Leave {
        int& depth;
        ~Leave() { --depth; }
    } leave{state_->depth};
    std::vector<pollfd> fds;
    std::vector<std::size_t> owners;  // index into watches, for each pollfd after the first
    fds.push_back({state_->wake_read.get(), POLLIN, 0});
    for (std::size_t i = 0; i < watches.size(); ++i) {
        if (outputs_only && !watches[i].output) continue;
        fds.push_back({watches[i].fd, POLLIN, 0});
        owners.push_back(i);
    }
    const int ready =
        ::poll(fds.data(), static_cast<nfds_t>(fds.size()), static_cast<int>(timeout.count()));
    if (ready < 0) return;  // EINTR: a signal, whose handler also wrote to the wake-up pipe
    if (fds[0].revents != 0) {
        char sink[256];
        while (::read(state_->wake_read.get(), sink, sizeof sink) > 0) {
        }
    }
    // Callbacks may add watches (a new connection, a restarted child): walk by index, and
    // only those polled.
    for (std::size_t k = 1; k < fds.size(); ++k) {
        if (fds[k].revents == 0) continue;
        const std::size_t index = owners[k - 1];
        if (watches[index].removed) continue;
        if (!watches[index].output) {
            auto on_ready = watches[index].on_ready;  // a copy: the list may grow under it
            on_ready();
            continue;
        }
        // Read what is there now, not until the pipe is empty: a child that writes without
        // pause must not hold the loop.
        char buffer[kReadChunk];
        ssize_t n = 0;
        do {
            n = ::read(watches[index].fd, buffer, sizeof buffer);
        } while (n < 0 && errno == EINTR);
        if (n > 0) {
            auto on_data = watches[index].on_data;
            on_data(std::string_view(buffer, static_cast<std::size_t>(n)));
        } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            auto on_end = std::move(watches[index].on_end);
            watches[index].removed = true;
            if (on_end) on_end();
        }
    }
    if (outputs_only) return;
    std::deque<std::function<void()>> tasks;
    {
        std::lock_guard lock(state_->posted_mutex);
        tasks.swap(state_->posted);
    }
    for (auto& task : tasks) task();
}

}  // namespace stigmer::platform
