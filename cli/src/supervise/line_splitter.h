#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace stigmer::supervise {

// Turns a child's output, read in chunks of any size, into lines (without "\n" or "\r\n").
// A line longer than 64 KiB is handed over in parts rather than buffered without end.
class LineSplitter {
  public:
    using OnLine = std::function<void(const std::string& line)>;

    explicit LineSplitter(OnLine on_line) : on_line_(std::move(on_line)) {}

    void feed(std::string_view chunk);
    // The output ended: a last line without its newline is handed over too.
    void finish();

  private:
    OnLine on_line_;
    std::string pending_;
};

}  // namespace stigmer::supervise
