#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string_view>

namespace stigmer::supervise {

// A component's log file: every line is stamped with the UTC time it arrived (so `logs --all`
// can merge components in time order), and the file is rotated by size: x.log -> x.log.1 ->
// ... -> x.log.N, the oldest dropped. Thread-safe.
class RotatingLog {
  public:
    RotatingLog(std::filesystem::path path, std::uintmax_t max_bytes, int kept_files);
    RotatingLog(const RotatingLog&) = delete;
    RotatingLog& operator=(const RotatingLog&) = delete;
    ~RotatingLog();

    // Appends one line (without its newline), stamped "2026-11-24T15:04:05.123Z " unless it
    // already starts with such a stamp.
    void write_line(std::string_view line);

    const std::filesystem::path& path() const { return path_; }

    // The stamp for now, in the format of the lines.
    static std::string timestamp_now();

  private:
    void open_for_append();
    void rotate();

    std::mutex mutex_;
    std::filesystem::path path_;
    std::uintmax_t max_bytes_;
    int kept_files_;
    std::FILE* file_ = nullptr;
    std::uintmax_t size_ = 0;
};

// Whether a line already begins with a stamp in the format of the lines.
bool starts_with_stamp(std::string_view line);

// The name of rotated file `index` (1 = newest) of a log: "x.log.1".
std::filesystem::path rotated_log_path(const std::filesystem::path& log, int index);

}  // namespace stigmer::supervise
