#include "supervise/rotating_log.h"

#include <chrono>
#include <cstring>
#include <ctime>
#include <string>
#include <system_error>

#include "util/error.h"
#include "util/files.h"

namespace stigmer::supervise {

std::filesystem::path rotated_log_path(const std::filesystem::path& log, int index) {
    return std::filesystem::path(log.string() + "." + std::to_string(index));
}

std::string RotatingLog::timestamp_now() {
    const auto now = std::chrono::system_clock::now();
    const auto seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm utc{};
#ifdef _WIN32
    gmtime_s(&utc, &seconds);
#else
    gmtime_r(&seconds, &utc);
#endif
    char buffer[40];
    const size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(buffer + n, sizeof buffer - n, ".%03dZ", static_cast<int>(millis));
    return buffer;
}

RotatingLog::RotatingLog(std::filesystem::path path, std::uintmax_t max_bytes, int kept_files,
                         OnOpen on_open)
    : path_(std::move(path)),
      max_bytes_(max_bytes),
      kept_files_(kept_files),
      on_open_(std::move(on_open)) {
    create_directories_or_throw(path_.parent_path());
    if (!open_for_append()) {
        throw Error(ExitCode::kLocalFiles, "cannot open log file (" + last_error_ + ")",
                    path_.string(), "check permissions on STIGMER_HOME/logs");
    }
}

RotatingLog::~RotatingLog() {
    if (file_) std::fclose(file_);
}

void RotatingLog::fail(const std::string& what) {
    last_error_ = what + " (" + std::strerror(errno) + ")";
}

bool RotatingLog::open_for_append() {
#ifdef _WIN32
    // Binary ("\n" stays "\n"); N: not inherited by the components.
    file_ = _wfopen(path_.c_str(), L"abN");
#else
    file_ = std::fopen(path_.c_str(), "ae");  // e: close-on-exec
#endif
    if (!file_) {
        fail("cannot open " + path_.string());
        return false;
    }
    std::error_code ec;
    const auto size = std::filesystem::file_size(path_, ec);
    size_ = ec ? 0 : size;
    if (on_open_) on_open_(file_);
    return true;
}

void RotatingLog::rotate() {
    std::fclose(file_);  // Windows renames no open file
    file_ = nullptr;
    std::error_code ec;
    std::filesystem::remove(rotated_log_path(path_, kept_files_), ec);
    for (int i = kept_files_ - 1; i >= 1; --i) {
        std::filesystem::rename(rotated_log_path(path_, i), rotated_log_path(path_, i + 1), ec);
    }
    std::filesystem::rename(path_, rotated_log_path(path_, 1), ec);
    if (ec) last_error_ = "cannot rotate " + path_.string() + " (" + ec.message() + ")";
    // Reopened even if the rename failed: the file then grows past its limit, nothing is lost.
    open_for_append();
}

std::uintmax_t RotatingLog::lost_lines() const {
    std::lock_guard lock(mutex_);
    return lost_lines_;
}

std::string RotatingLog::last_error() const {
    std::lock_guard lock(mutex_);
    return last_error_;
}

bool starts_with_stamp(std::string_view line) {
    // Exactly the form timestamp_now() writes: 2026-11-24T15:04:05.123Z
    constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ ";
    if (line.size() < kShape.size()) return false;
    for (std::size_t i = 0; i < kShape.size(); ++i) {
        const char c = line[i];
        if (kShape[i] == 'd' ? (c < '0' || c > '9') : c != kShape[i]) return false;
    }
    return true;
}

void RotatingLog::write_line(std::string_view line) {
    // A component that stamps its own lines the same way keeps its stamp: one time per line.
    std::string stamped =
        (starts_with_stamp(line) ? std::string(line) : timestamp_now() + " " + std::string(line)) +
        "\n";
    std::lock_guard lock(mutex_);
    if (file_ && size_ > 0 && size_ + stamped.size() > max_bytes_) rotate();
    if (!file_ && !open_for_append()) {  // gone or full a while ago: try again at each line
        ++lost_lines_;
        return;
    }
    if (lost_lines_ > lost_reported_) {
        stamped = timestamp_now() + " stigmer: " + std::to_string(lost_lines_ - lost_reported_) +
                  " line(s) could not be written to this log: " + last_error_ + "\n" + stamped;
    }
    // Flushed at each line: a reader (`logs -f`) sees each line as it comes.
    if (std::fwrite(stamped.data(), 1, stamped.size(), file_) != stamped.size() ||
        std::fflush(file_) != 0) {
        fail("cannot write to " + path_.string());
        ++lost_lines_;
        std::clearerr(file_);
        return;
    }
    lost_reported_ = lost_lines_;
    size_ += stamped.size();
}

}  // namespace stigmer::supervise
