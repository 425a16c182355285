#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "platform/platform.h"

namespace stigmer::config {

inline constexpr const char* kDefaultReleasesUrl = "https://releases.stigmer.ai";

// What the command line said (unset = not given).
struct CommandLineOverrides {
    std::optional<std::string> home;
    std::optional<std::string> releases_url;
    std::optional<std::string> platform;  // dev/test only: "os-arch"
};

// Resolved settings. Precedence for each value: flag > environment > config.toml > default.
struct Settings {
    std::filesystem::path home;
    std::string releases_url;
    std::string releases_url_source;  // "flag", "env", "config" or "default" (for messages)
    platform::Platform platform;
};

using EnvironmentLookup = std::function<std::optional<std::string>(const std::string&)>;

// Reads the real process environment.
std::optional<std::string> process_environment(const std::string& name);

Settings resolve_settings(const CommandLineOverrides& flags,
                          const EnvironmentLookup& environment = process_environment);

// Reads `releases_url` from STIGMER_HOME/config.toml (nullopt if absent); throws Error(kUsage)
// naming the file when it is not valid TOML or the value is not a string.
std::optional<std::string> read_config_releases_url(const std::filesystem::path& config_file);

}  // namespace stigmer::config
