#include "supervise/output_pump.h"

#include <chrono>

#include "platform/pipe_read.h"

namespace stigmer::supervise {

namespace {
constexpr std::size_t kMaxLineBytes = 64 * 1024;  // longer lines are split, not buffered forever
}

OutputPump::OutputPump(std::intptr_t pipe_handle, LineHandler on_line)
    : on_line_(std::move(on_line)) {
    thread_ = std::thread([this, pipe_handle] { run(pipe_handle); });
}

OutputPump::~OutputPump() {
    stop();
    if (thread_.joinable()) thread_.join();
}

void OutputPump::stop() {
    stop_requested_ = true;
}

void OutputPump::run(std::intptr_t pipe_handle) {
    std::string pending;
    auto emit_complete_lines = [&] {
        std::size_t start = 0;
        for (std::size_t newline; (newline = pending.find('\n', start)) != std::string::npos;
             start = newline + 1) {
            std::string line = pending.substr(start, newline - start);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            on_line_(line);
        }
        pending.erase(0, start);
        if (pending.size() > kMaxLineBytes) {
            on_line_(pending);
            pending.clear();
        }
    };
    for (;;) {
        const auto result =
            platform::read_pipe(pipe_handle, std::chrono::milliseconds(200), pending);
        if (result == platform::PipeReadResult::kEndOfFile) break;
        if (result == platform::PipeReadResult::kData) {
            emit_complete_lines();
            continue;
        }
        if (stop_requested_) break;  // quiet for a poll interval after stop(): done
    }
    if (!pending.empty()) on_line_(pending);
    finished_ = true;
}

}  // namespace stigmer::supervise
