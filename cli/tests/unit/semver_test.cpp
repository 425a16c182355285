#include "util/semver.h"

#include <gtest/gtest.h>

namespace stigmer {
namespace {

TEST(SemverTest, ParsesCoreAndPrerelease) {
    const auto version = parse_semver("1.3.0-rc.1");
    ASSERT_TRUE(version.has_value());
    EXPECT_EQ(version->major, 1u);
    EXPECT_EQ(version->minor, 3u);
    EXPECT_EQ(version->patch, 0u);
    EXPECT_EQ(version->prerelease, (std::vector<std::string>{"rc", "1"}));
}

TEST(SemverTest, RejectsNonSemver) {
    EXPECT_FALSE(parse_semver("dev-test"));
    EXPECT_FALSE(parse_semver("v1.2.3"));
    EXPECT_FALSE(parse_semver("1.2"));
    EXPECT_FALSE(parse_semver("01.2.3"));
    EXPECT_FALSE(parse_semver("1.2.3-"));
}

TEST(SemverTest, OrdersByPrecedence) {
    EXPECT_EQ(compare_versions("1.2.3", "1.2.4"), VersionOrder::kLess);
    EXPECT_EQ(compare_versions("1.10.0", "1.9.9"), VersionOrder::kGreater);
    EXPECT_EQ(compare_versions("1.3.0-rc.1", "1.3.0"), VersionOrder::kLess);
    EXPECT_EQ(compare_versions("1.3.0-rc.2", "1.3.0-rc.10"), VersionOrder::kLess);
    EXPECT_EQ(compare_versions("1.3.0-alpha", "1.3.0-1"), VersionOrder::kGreater);
    EXPECT_EQ(compare_versions("1.2.3+build.5", "1.2.3"), VersionOrder::kEqual);
}

TEST(SemverTest, NumericPrereleaseBeyond64BitsComparesNumerically) {
    // semver.org: numeric identifiers compare numerically, however many digits they have.
    const std::string big = "1.0.0-rc.99999999999999999999";  // above 2^64
    EXPECT_EQ(compare_versions(big, "1.0.0-rc.99999999999999999998"), VersionOrder::kGreater);
    EXPECT_EQ(compare_versions("1.0.0-rc.18446744073709551615", big), VersionOrder::kLess);
    EXPECT_EQ(compare_versions(big, big), VersionOrder::kEqual);
    EXPECT_EQ(compare_versions("1.0.0-123456789012345678901234567890", "1.0.0-alpha"),
              VersionOrder::kLess);
}

TEST(SemverTest, LocalVersionsAreUnordered) {
    EXPECT_EQ(compare_versions("dev-test", "1.2.3"), VersionOrder::kUnordered);
    EXPECT_EQ(compare_versions("dev-a", "dev-b"), VersionOrder::kUnordered);
    EXPECT_EQ(compare_versions("dev-a", "dev-a"), VersionOrder::kEqual);
}

TEST(SemverTest, ValidatesVersionStrings) {
    EXPECT_TRUE(is_valid_version_string("1.2.3-rc.1+b"));
    EXPECT_TRUE(is_valid_version_string("dev_test"));
    EXPECT_FALSE(is_valid_version_string(".."));
    EXPECT_FALSE(is_valid_version_string("a/b"));
    EXPECT_FALSE(is_valid_version_string(""));
}

}  // namespace
}  // namespace stigmer
