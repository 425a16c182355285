#include "util/semver.h"

#include <algorithm>
#include <charconv>

namespace stigmer {

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::uint64_t> parse_number(std::string_view s) {
    if (!all_digits(s) || (s.size() > 1 && s[0] == '0')) return std::nullopt;
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return value;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto pos = s.find(separator, start);
        parts.push_back(s.substr(start, pos - start));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    return parts;
}

bool valid_identifier(std::string_view id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '-';
    });
}

int compare_prerelease(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    // A version without pre-release identifiers has the higher precedence.
    if (a.empty() || b.empty()) return a.empty() == b.empty() ? 0 : (a.empty() ? 1 : -1);
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        const bool a_num = all_digits(a[i]);
        const bool b_num = all_digits(b[i]);
        if (a_num && b_num) {
            // Numerically, at any length (no 64-bit limit): parse_semver refused leading zeros,
            // so the longer number is the larger, and equal lengths compare digit by digit.
            if (a[i].size() != b[i].size()) return a[i].size() < b[i].size() ? -1 : 1;
            if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
        } else if (a_num != b_num) {
            return a_num ? -1 : 1;  // numeric identifiers sort before alphanumeric ones
        } else if (a[i] != b[i]) {
            return a[i] < b[i] ? -1 : 1;
        }
    }
    if (a.size() == b.size()) return 0;
    return a.size() < b.size() ? -1 : 1;
}

}  // namespace

std::optional<SemVer> parse_semver(std::string_view text) {
    // Build metadata (after '+') does not take part in precedence.
    const auto plus = text.find('+');
    if (plus != std::string_view::npos) {
        const auto build = text.substr(plus + 1);
        for (auto id : split(build, '.')) {
            if (!valid_identifier(id)) return std::nullopt;
        }
        text = text.substr(0, plus);
    }
    std::string_view prerelease;
    const auto dash = text.find('-');
    if (dash != std::string_view::npos) {
        prerelease = text.substr(dash + 1);
        text = text.substr(0, dash);
        if (prerelease.empty()) return std::nullopt;
    }
    const auto core = split(text, '.');
    if (core.size() != 3) return std::nullopt;
    SemVer version;
    const auto major = parse_number(core[0]);
    const auto minor = parse_number(core[1]);
    const auto patch = parse_number(core[2]);
    if (!major || !minor || !patch) return std::nullopt;
    version.major = *major;
    version.minor = *minor;
    version.patch = *patch;
    if (!prerelease.empty()) {
        for (auto id : split(prerelease, '.')) {
            if (!valid_identifier(id)) return std::nullopt;
            if (all_digits(id) && id.size() > 1 && id[0] == '0') return std::nullopt;
            version.prerelease.emplace_back(id);
        }
    }
    return version;
}

VersionOrder compare_versions(std::string_view a, std::string_view b) {
    const auto x = parse_semver(a);
    const auto y = parse_semver(b);
    if (!x || !y) return a == b ? VersionOrder::kEqual : VersionOrder::kUnordered;
    int c = 0;
    if (x->major != y->major) {
        c = x->major < y->major ? -1 : 1;
    } else if (x->minor != y->minor) {
        c = x->minor < y->minor ? -1 : 1;
    } else if (x->patch != y->patch) {
        c = x->patch < y->patch ? -1 : 1;
    } else {
        c = compare_prerelease(x->prerelease, y->prerelease);
    }
    if (c == 0) return VersionOrder::kEqual;
    return c < 0 ? VersionOrder::kLess : VersionOrder::kGreater;
}

bool is_valid_version_string(std::string_view text) {
    if (text.empty() || text.size() > 128 || text == "." || text == "..") return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '.' || c == '_' || c == '+' || c == '-';
    });
}

}  // namespace stigmer
