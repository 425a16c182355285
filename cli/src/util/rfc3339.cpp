#include "util/rfc3339.h"

#include <charconv>

namespace stigmer {
namespace {

// Reads `digits` decimal digits at `pos`; false if they are not all there.
bool read_number(std::string_view text, std::size_t pos, std::size_t digits, int& value) {
    if (pos + digits > text.size()) return false;
    const char* begin = text.data() + pos;
    const auto [end, error] = std::from_chars(begin, begin + digits, value);
    return error == std::errc() && end == begin + digits;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (text.size() < 20 || !read_number(text, 0, 4, year) || text[4] != '-' ||
        !read_number(text, 5, 2, month) || text[7] != '-' || !read_number(text, 8, 2, day) ||
        (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
        !read_number(text, 11, 2, hour) || text[13] != ':' || !read_number(text, 14, 2, minute) ||
        text[16] != ':' || !read_number(text, 17, 2, second))
        return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year(year),
                                           std::chrono::month(static_cast<unsigned>(month)),
                                           std::chrono::day(static_cast<unsigned>(day))};
    // 60: a leap second, which RFC 3339 allows (counted as the next second's start).
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    std::size_t pos = 19;
    std::chrono::nanoseconds fraction{0};
    if (text[pos] == '.') {
        ++pos;
        if (pos >= text.size() || !is_digit(text[pos])) return std::nullopt;
        long long scale = 100'000'000;
        for (; pos < text.size() && is_digit(text[pos]); ++pos) {
            fraction += std::chrono::nanoseconds((text[pos] - '0') * scale);
            scale /= 10;  // digits past nanoseconds add nothing
        }
    }
    std::chrono::minutes offset{0};
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int offset_hours = 0, offset_minutes = 0;
        if (!read_number(text, pos + 1, 2, offset_hours) || pos + 3 >= text.size() ||
            text[pos + 3] != ':' || !read_number(text, pos + 4, 2, offset_minutes) ||
            offset_hours > 23 || offset_minutes > 59)
            return std::nullopt;
        offset = std::chrono::hours(offset_hours) + std::chrono::minutes(offset_minutes);
        if (text[pos] == '-') offset = -offset;
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;
    const auto utc = std::chrono::sys_days(date) + std::chrono::hours(hour) +
                     std::chrono::minutes(minute) + std::chrono::seconds(second) - offset;
    return std::chrono::time_point_cast<TimePoint::duration>(utc + fraction);
}

}  // namespace stigmer
