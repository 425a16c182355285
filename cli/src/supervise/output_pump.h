#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace stigmer::supervise {

// Reads a child's output pipe on a thread of its own and hands over each complete line.
// Finishes at end of file, or soon after stop() once the pipe stays quiet.
class OutputPump {
  public:
    using LineHandler = std::function<void(const std::string& line)>;

    OutputPump(std::intptr_t pipe_handle, LineHandler on_line);
    OutputPump(const OutputPump&) = delete;
    OutputPump& operator=(const OutputPump&) = delete;
    ~OutputPump();  // stops and joins

    // Drains what is pending, then ends the thread (used once the process has exited: a
    // grandchild may still hold the pipe open).
    void stop();
    bool finished() const { return finished_; }

  private:
    void run(std::intptr_t pipe_handle);

    LineHandler on_line_;
    std::atomic<bool> stop_requested_{false};
    std::atomic<bool> finished_{false};
    std::thread thread_;
};

}  // namespace stigmer::supervise
