#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace stigmer::supervise {

// A component's log file: every line is stamped with the UTC time it arrived (so `logs --all`
// can merge components in time order), and the file is rotated by size: x.log -> x.log.1 ->
// ... -> x.log.N, the oldest dropped. Once open it never throws: a log that cannot be rotated,
// reopened or written to costs lines, not the daemon (the lines lost are counted, and said in
// the log once it can be written again). Thread-safe.
class RotatingLog {
  public:
    // Called with the file each time it is (re)opened: the daemon points its own stderr there.
    using OnOpen = std::function<void(std::FILE* file)>;

    // Throws Error naming the file if it cannot be opened at all.
    RotatingLog(std::filesystem::path path, std::uintmax_t max_bytes, int kept_files,
                OnOpen on_open = {});
    RotatingLog(const RotatingLog&) = delete;
    RotatingLog& operator=(const RotatingLog&) = delete;
    ~RotatingLog();

    // Appends one line (without its newline), stamped "2026-11-24T15:04:05.123Z " unless it
    // already starts with such a stamp.
    void write_line(std::string_view line);

    const std::filesystem::path& path() const { return path_; }

    // Lines that could not be written, and why the last one could not (empty: none).
    std::uintmax_t lost_lines() const;
    std::string last_error() const;

    // The stamp for now, in the format of the lines.
    static std::string timestamp_now();

  private:
    bool open_for_append();  // false (and last_error_ set) when it cannot
    void rotate();
    void fail(const std::string& what);

    mutable std::mutex mutex_;
    std::filesystem::path path_;
    std::uintmax_t max_bytes_;
    int kept_files_;
    OnOpen on_open_;
    std::FILE* file_ = nullptr;
    std::uintmax_t size_ = 0;
    std::uintmax_t lost_lines_ = 0;
    std::uintmax_t lost_reported_ = 0;  // of lost_lines_, those already said in the log
    std::string last_error_;
};

// Whether a line already begins with a stamp in the format of the lines.
bool starts_with_stamp(std::string_view line);

// The name of rotated file `index` (1 = newest) of a log: "x.log.1".
std::filesystem::path rotated_log_path(const std::filesystem::path& log, int index);

}  // namespace stigmer::supervise
