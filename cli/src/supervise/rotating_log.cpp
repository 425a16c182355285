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

RotatingLog::RotatingLog(std::filesystem::path path, std::uintmax_t max_bytes, int kept_files)
    : path_(std::move(path)), max_bytes_(max_bytes), kept_files_(kept_files) {
    create_directories_or_throw(path_.parent_path());
    open_for_append();
}

RotatingLog::~RotatingLog() {
    if (file_) std::fclose(file_);
}

void RotatingLog::open_for_append() {
#ifdef _WIN32
    // Binary ("\n" stays "\n"); N: not inherited by the components.
    file_ = _wfopen(path_.c_str(), L"abN");
#else
    file_ = std::fopen(path_.c_str(), "ae");  // e: close-on-exec
#endif
    if (!file_) {
        throw Error(ExitCode::kLocalFiles,
                    std::string("cannot open log file (") + std::strerror(errno) + ")",
                    path_.string(), "check permissions on STIGMER_HOME/logs");
    }
    std::error_code ec;
    const auto size = std::filesystem::file_size(path_, ec);
    size_ = ec ? 0 : size;
}

void RotatingLog::rotate() {
    std::fclose(file_);
    file_ = nullptr;
    std::error_code ec;
    std::filesystem::remove(rotated_log_path(path_, kept_files_), ec);
    for (int i = kept_files_ - 1; i >= 1; --i) {
        std::filesystem::rename(rotated_log_path(path_, i), rotated_log_path(path_, i + 1), ec);
    }
    std::filesystem::rename(path_, rotated_log_path(path_, 1), ec);
    open_for_append();
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
    const std::string stamped =
        (starts_with_stamp(line) ? std::string(line) : timestamp_now() + " " + std::string(line)) +
        "\n";
    std::lock_guard lock(mutex_);
    if (size_ > 0 && size_ + stamped.size() > max_bytes_) rotate();
    std::fwrite(stamped.data(), 1, stamped.size(), file_);
    std::fflush(file_);  // a reader (`logs -f`) sees each line as it comes
    size_ += stamped.size();
}

}  // namespace stigmer::supervise
