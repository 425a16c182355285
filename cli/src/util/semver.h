#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stigmer {

// A semantic version (semver.org 2.0.0), as used for release versions ("1.2.3", "1.3.0-rc.1").
struct SemVer {
    std::uint64_t major = 0;
    std::uint64_t minor = 0;
    std::uint64_t patch = 0;
    std::vector<std::string> prerelease;  // dot-separated identifiers after '-'
};

std::optional<SemVer> parse_semver(std::string_view text);

enum class VersionOrder { kLess, kEqual, kGreater, kUnordered };

// Compares two release versions by semver precedence; kUnordered when either is not semver
// (local builds such as "dev-test") and they differ.
VersionOrder compare_versions(std::string_view a, std::string_view b);

// Release versions and component names become directory names: [A-Za-z0-9._+-], no "." or "..".
bool is_valid_version_string(std::string_view text);

}  // namespace stigmer
