#include "config/settings.h"

#include <cstdlib>

#include "config/config_file.h"
#include "platform/home.h"
#include "util/error.h"

namespace stigmer::config {

std::optional<std::string> process_environment(const std::string& name) {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
}

std::optional<std::string> read_config_releases_url(const std::filesystem::path& config_file) {
    const auto table = read_config_file(config_file);
    const auto* node = table.get("releases_url");
    if (node == nullptr) return std::nullopt;
    const auto value = node->value<std::string>();
    if (!value || value->empty()) {
        throw_config_value_error(config_file, "releases_url",
                                 "must be a non-empty string, e.g. \"https://...\"");
    }
    return *value;
}

Settings resolve_settings(const CommandLineOverrides& flags, const EnvironmentLookup& environment) {
    Settings settings;
    if (flags.home) {
        settings.home = *flags.home;
    } else if (auto env_home = environment("STIGMER_HOME")) {
        settings.home = *env_home;
    } else {
        settings.home = platform::user_home_directory() / ".stigmer";
    }
    settings.home = std::filesystem::absolute(settings.home);

    if (flags.releases_url) {
        settings.releases_url = *flags.releases_url;
        settings.releases_url_source = "flag";
    } else if (auto env_url = environment("STIGMER_RELEASES_URL")) {
        settings.releases_url = *env_url;
        settings.releases_url_source = "env";
    } else if (auto config_url = read_config_releases_url(settings.home / "config.toml")) {
        settings.releases_url = *config_url;
        settings.releases_url_source = "config";
    } else {
        settings.releases_url = kDefaultReleasesUrl;
        settings.releases_url_source = "default";
    }
    while (settings.releases_url.size() > 1 && settings.releases_url.back() == '/') {
        settings.releases_url.pop_back();
    }

    if (flags.platform) {
        const auto parsed = platform::parse_platform_key(*flags.platform);
        if (!parsed) {
            throw Error(ExitCode::kUsage, "unknown platform '" + *flags.platform + "'",
                        "--platform",
                        "use os-arch with os in linux, darwin, windows and arch in amd64, arm64");
        }
        settings.platform = *parsed;
    } else {
        settings.platform = platform::detect_platform();
    }
    return settings;
}

}  // namespace stigmer::config
