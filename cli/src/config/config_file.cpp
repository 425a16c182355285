#include "config/config_file.h"

#include "util/error.h"

namespace stigmer::config {

toml::table read_config_file(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return {};
    try {
        return toml::parse_file(file.string());
    } catch (const toml::parse_error& error) {
        throw Error(ExitCode::kUsage,
                    "invalid config.toml (" + std::string(error.description()) + " at line " +
                        std::to_string(error.source().begin.line) + ")",
                    file.string(), "fix the file or move it away");
    }
}

void throw_config_value_error(const std::filesystem::path& file, const std::string& key,
                              const std::string& problem) {
    throw Error(ExitCode::kUsage, key + " " + problem, file.string(),
                "fix the value in config.toml (see docs/configuration.md)");
}

}  // namespace stigmer::config
