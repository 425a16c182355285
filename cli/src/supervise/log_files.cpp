#include "supervise/log_files.h"

#include <algorithm>
#include <deque>
#include <fstream>

#include "platform/file_identity.h"
#include "supervise/rotating_log.h"

namespace stigmer::supervise {
namespace {

constexpr int kMaxRotatedFiles = 9;

bool looks_like_stamp(const std::string& s) {
    return s.size() >= 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s.back() == 'Z';
}

std::vector<std::string> read_lines(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace

LogLine parse_log_line(const std::string& raw, const std::string& component) {
    const auto space = raw.find(' ');
    if (space != std::string::npos && looks_like_stamp(raw.substr(0, space))) {
        return {raw.substr(0, space), component, raw.substr(space + 1)};
    }
    return {"", component, raw};
}

std::vector<LogLine> tail_log(const std::filesystem::path& log, const std::string& component,
                              std::size_t count) {
    std::deque<std::string> kept;
    // Newest file first; each older file's lines go in front.
    for (int index = 0; index <= kMaxRotatedFiles && kept.size() < count; ++index) {
        const auto file = index == 0 ? log : rotated_log_path(log, index);
        std::error_code ec;
        if (!std::filesystem::exists(file, ec)) {
            if (index == 0) continue;
            break;
        }
        const auto lines = read_lines(file);
        for (auto it = lines.rbegin(); it != lines.rend() && kept.size() < count; ++it)
            kept.push_front(*it);
    }
    std::vector<LogLine> result;
    for (const auto& raw : kept) result.push_back(parse_log_line(raw, component));
    return result;
}

bool repeats_a_daemon_event(const LogLine& line) {
    return line.component != "stigmer" && line.text.rfind("stigmer: ", 0) == 0;
}

std::vector<LogLine> merge_in_time_order(const std::vector<std::vector<LogLine>>& logs) {
    std::vector<LogLine> merged;
    for (const auto& log : logs) {
        // A line without a stamp (a continuation) sorts with the line before it.
        std::string last_stamp;
        for (auto line : log) {
            if (line.stamp.empty()) {
                line.stamp = last_stamp;
            } else {
                last_stamp = line.stamp;
            }
            merged.push_back(std::move(line));
        }
    }
    // ISO-8601 UTC stamps of one width sort as text.
    std::stable_sort(merged.begin(), merged.end(),
                     [](const LogLine& a, const LogLine& b) { return a.stamp < b.stamp; });
    return merged;
}

LogFollower::LogFollower(std::filesystem::path log, std::string component)
    : path_(std::move(log)), component_(std::move(component)) {
    std::error_code ec;
    offset_ = std::filesystem::exists(path_, ec) ? std::filesystem::file_size(path_, ec) : 0;
    identity_ = platform::file_identity(path_);
}

std::vector<LogLine> LogFollower::read_new() {
    std::vector<LogLine> lines;
    const auto identity = platform::file_identity(path_);
    if (identity == 0) return lines;  // between rotation's rename and the new file
    std::error_code ec;
    const auto size = std::filesystem::file_size(path_, ec);
    if (ec) return lines;
    if (identity != identity_ || size < offset_) {
        // Rotated: what was left unread in the old file is in x.log.1 now.
        if (identity != identity_) {
            std::ifstream old(rotated_log_path(path_, 1), std::ios::binary);
            old.seekg(static_cast<std::streamoff>(offset_));
            std::string rest((std::istreambuf_iterator<char>(old)),
                             std::istreambuf_iterator<char>());
            pending_ += rest;
        }
        identity_ = identity;
        offset_ = 0;
    }
    if (size > offset_) {
        std::ifstream in(path_, std::ios::binary);
        in.seekg(static_cast<std::streamoff>(offset_));
        std::string chunk(size - offset_, '\0');
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        chunk.resize(static_cast<std::size_t>(in.gcount()));
        offset_ += chunk.size();
        pending_ += chunk;
    }
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
        lines.push_back(parse_log_line(pending_.substr(start, nl - start), component_));
    }
    pending_.erase(0, start);
    return lines;
}

}  // namespace stigmer::supervise
