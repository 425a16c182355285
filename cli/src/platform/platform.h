#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stigmer::platform {

// The release platform: os in {linux, darwin, windows}, arch in {amd64, arm64}.
struct Platform {
    std::string os;
    std::string arch;
    std::string key() const { return os + "-" + arch; }  // "linux-amd64"
    bool operator==(const Platform&) const = default;
};

// What this machine is, from uname (POSIX) or the compiler (Windows).
Platform detect_platform();

// Normalise what a system reports ("Linux", "x86_64", "aarch64", "AMD64"...); empty if unknown.
std::string normalize_os(std::string_view reported);
std::string normalize_arch(std::string_view reported);

// Parses "os-arch" with supported values only.
std::optional<Platform> parse_platform_key(std::string_view key);

// Name of a component's executable on a platform ("temporal" or "temporal.exe").
std::string executable_name(const Platform& platform, std::string_view component);

}  // namespace stigmer::platform
