#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace stigmer::supervise {

// One line of a component log written by RotatingLog: "<UTC stamp> <text>".
struct LogLine {
    std::string stamp;  // empty when the line carries none
    std::string component;
    std::string text;
};

LogLine parse_log_line(const std::string& raw, const std::string& component);

// The last `count` lines of a log, reaching into its rotated files when needed; oldest first.
std::vector<LogLine> tail_log(const std::filesystem::path& log, const std::string& component,
                              std::size_t count);

// Whether `line` of a component's log is one of the supervisor's events ("stigmer: started
// (pid 12)"), which the daemon's own log has too: shown once where both logs are merged.
bool repeats_a_daemon_event(const LogLine& line);

// Merges logs of several components into one time order (stable for equal stamps, so each
// component's own order is kept).
std::vector<LogLine> merge_in_time_order(const std::vector<std::vector<LogLine>>& logs);

// Follows a log as it grows, across rotation (the file replaced or truncated: read the new one
// from its start).
class LogFollower {
  public:
    LogFollower(std::filesystem::path log, std::string component);
    // Complete lines appended since the last call (at first: since construction).
    std::vector<LogLine> read_new();

  private:
    std::filesystem::path path_;
    std::string component_;
    std::uintmax_t offset_ = 0;
    std::uintmax_t identity_ = 0;  // inode (POSIX): changes when the file is rotated away
    std::string pending_;
};

}  // namespace stigmer::supervise
