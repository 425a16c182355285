#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <string>

namespace stigmer::config {

// Reads and parses STIGMER_HOME/config.toml, the one place that does: an empty table when the
// file does not exist; Error(kUsage) naming the file and line when it cannot be read or parsed.
toml::table read_config_file(const std::filesystem::path& file);

// The one shape of a bad value in config.toml: "<key> <problem>, <file>; fix the value in
// config.toml (see docs/configuration.md)". `key` as the user finds it ("[temporal] grpc_port").
[[noreturn]] void throw_config_value_error(const std::filesystem::path& file,
                                           const std::string& key, const std::string& problem);

}  // namespace stigmer::config
