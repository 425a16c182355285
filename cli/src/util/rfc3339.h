#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace stigmer {

using TimePoint = std::chrono::system_clock::time_point;

// An RFC 3339 date-time as an instant: "2026-11-30T22:10:57Z", "2026-11-30T22:10:57.699737Z",
// "2026-11-30T23:10:57+01:00". nullopt for anything else (no date-only, no local time without
// an offset, no invalid calendar date, nothing trailing).
std::optional<TimePoint> parse_rfc3339(std::string_view text);

}  // namespace stigmer
