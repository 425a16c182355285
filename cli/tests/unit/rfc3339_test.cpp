#include "util/rfc3339.h"

#include <gtest/gtest.h>

namespace stigmer {
namespace {

TimePoint at(const std::string& text) {
    const auto point = parse_rfc3339(text);
    EXPECT_TRUE(point) << text;
    return point.value_or(TimePoint{});
}

TEST(Rfc3339, OffsetsAndFractionsAreTheSameInstant) {
    const auto base = at("2026-11-24T12:00:00Z");
    EXPECT_EQ(at("2026-11-24T13:00:00+01:00"), base);
    EXPECT_EQ(at("2026-11-24T06:30:00-05:30"), base);
    EXPECT_EQ(at("2026-11-24t12:00:00z"), base);
    EXPECT_EQ(at("2026-11-24 12:00:00Z"), base);
    EXPECT_EQ(at("2026-11-24T12:00:00.5Z") - base, std::chrono::milliseconds(500));
    // Sorts after base as text, yet is earlier.
    EXPECT_LT(at("2026-11-24T12:30:00+01:00"), base);
}

TEST(Rfc3339, RefusesWhatIsNotADateTimeWithAnOffset) {
    for (const auto* text :
         {"", "2026-11-24", "2026-11-24T12:00:00", "2026-11-24T12:00Z", "2026-02-30T12:00:00Z",
          "2026-11-24T24:00:00Z", "2026-11-24T12:00:00.Z", "2026-11-24T12:00:00+1:00",
          "2026-11-24T12:00:00+24:00", "2026-11-24T12:00:00+01:60", "2026-11-24T12:00:00Z ",
          "x2026-11-24T12:00:00Z", "1764000000"}) {
        EXPECT_FALSE(parse_rfc3339(text)) << text;
    }
}

}  // namespace
}  // namespace stigmer
