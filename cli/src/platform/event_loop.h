#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace stigmer::platform {

// The daemon's one loop: it waits on the children's output pipes, the control socket and a
// wake-up channel (stop signals, child exits, work posted from other threads) and runs their
// callbacks on the thread that calls run_once(), so what they touch needs no lock. The shape
// of ninja's SubprocessSet::DoWork. Every member but post() and wake() is for that thread.
class EventLoop {
  public:
    using Handle = std::intptr_t;  // a POSIX descriptor, or a Windows HANDLE / SOCKET
    using OnData = std::function<void(std::string_view chunk)>;
    using OnEnd = std::function<void()>;
    using OnReady = std::function<void()>;

    EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;
    ~EventLoop();

    // A child's output pipe: `on_data` with each chunk read, then `on_end` once at end of file
    // (after which the pipe is no longer watched). The caller keeps the pipe open meanwhile.
    void watch_output(Handle pipe, OnData on_data, OnEnd on_end);

    // A socket to call `on_ready` for whenever it can be read (or has hung up): the control
    // socket and its connections. POSIX only; the Windows control channel posts instead.
    void watch_readable(Handle handle, OnReady on_ready);

    // Stops watching `handle` (an output or a readable); nothing is called for it afterwards.
    void unwatch(Handle handle);

    // From any thread: runs `task` on the loop's thread at its next turn.
    void post(std::function<void()> task);

    // From any thread or a signal handler's flag: ends the current wait early.
    void wake();

    // Waits up to `timeout` for something to happen and handles what did. With `outputs_only`,
    // only child output is read (for a caller inside a callback that waits for a child to
    // stop: nothing else may run under it).
    void run_once(std::chrono::milliseconds timeout, bool outputs_only = false);

  private:
    struct State;  // each platform's own, in event_loop_posix.cpp / event_loop_win32.cpp
    std::unique_ptr<State> state_;
};

}  // namespace stigmer::platform
