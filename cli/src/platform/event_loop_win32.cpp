// Windows event loop. Anonymous pipes cannot be waited on together with anything else, so each
// watched output has a reader thread that posts its chunks to the loop; the loop itself waits
// on a condition variable. Callbacks still run only on the loop's thread. Not compiled on POSIX.
#include <windows.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <thread>

#include "platform/event_loop.h"
#include "platform/pipe_read.h"
#include "util/error.h"

namespace stigmer::platform {

namespace {
// No SIGCHLD here: a child's exit is seen at the next turn, so turns stay short.
constexpr std::chrono::milliseconds kLongestWait{100};
}  // namespace

struct EventLoop::State {
    struct Task {
        bool output = false;
        std::function<void()> run;
    };
    struct Reader {
        Handle pipe;
        std::shared_ptr<std::atomic<bool>> stop = std::make_shared<std::atomic<bool>>(false);
        std::thread thread;
    };
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<Task> tasks;
    bool woken = false;
    std::list<Reader> readers;

    void push(Task task) {
        {
            std::lock_guard lock(mutex);
            tasks.push_back(std::move(task));
        }
        changed.notify_one();
    }
};

EventLoop::EventLoop() : state_(std::make_unique<State>()) {}

EventLoop::~EventLoop() {
    for (auto& reader : state_->readers) {
        *reader.stop = true;
        if (reader.thread.joinable()) reader.thread.join();
    }
}

void EventLoop::watch_output(Handle pipe, OnData on_data, OnEnd on_end) {
    auto& reader = state_->readers.emplace_back();
    reader.pipe = pipe;
    State* state = state_.get();
    auto stop = reader.stop;
    reader.thread =
        std::thread([state, pipe, stop, on_data = std::move(on_data), on_end = std::move(on_end)] {
            for (;;) {
                std::string chunk;
                const auto result = read_pipe(pipe, std::chrono::milliseconds(200), chunk);
                if (*stop) return;
                if (result == PipeReadResult::kData) {
                    state->push({true, [stop, on_data, chunk] {
                                     if (!*stop) on_data(chunk);
                                 }});
                } else if (result == PipeReadResult::kEndOfFile) {
                    state->push({true, [stop, on_end] {
                                     if (!*stop && on_end) on_end();
                                 }});
                    return;
                }
            }
        });
}

void EventLoop::watch_readable(Handle, OnReady) {
    throw Error(ExitCode::kFailure, "waiting on a socket is not available on Windows",
                "EventLoop::watch_readable", "post the work to the loop instead");
}

void EventLoop::unwatch(Handle handle) {
    auto& readers = state_->readers;
    for (auto it = readers.begin(); it != readers.end();) {
        if (it->pipe != handle) {
            ++it;
            continue;
        }
        *it->stop = true;  // queued chunks of it are dropped too
        if (it->thread.joinable()) it->thread.join();
        it = readers.erase(it);
    }
}

void EventLoop::post(std::function<void()> task) {
    state_->push({false, std::move(task)});
}

void EventLoop::wake() {
    {
        std::lock_guard lock(state_->mutex);
        state_->woken = true;
    }
    state_->changed.notify_one();
}

void EventLoop::run_once(std::chrono::milliseconds timeout, bool outputs_only) {
    std::deque<State::Task> due;
    {
        std::unique_lock lock(state_->mutex);
        const auto has_work = [&] {
            if (state_->woken) return true;
            for (const auto& task : state_->tasks) {
                if (task.output || !outputs_only) return true;
            }
            return false;
        };
        state_->changed.wait_for(lock, std::min(timeout, kLongestWait), has_work);
        state_->woken = false;
        for (auto it = state_->tasks.begin(); it != state_->tasks.end();) {
            if (outputs_only && !it->output) {
                ++it;
                continue;
            }
            due.push_back(std::move(*it));
            it = state_->tasks.erase(it);
        }
    }
    for (auto& task : due) task.run();
}

}  // namespace stigmer::platform
