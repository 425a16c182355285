#pragma once

#include <filesystem>
#include <string>

namespace stigmer::config {

// What the daemon does about new releases (`auto_update` in config.toml).
enum class AutoUpdate {
    kOff,     // no check, no notice
    kNotify,  // check once a day, commands print a notice (the default)
    kInstall  // also download and verify the new release into the store, without activating it
};

struct UpdateConfig {
    AutoUpdate mode = AutoUpdate::kNotify;
    std::string channel = "stable";  // the channel checked

    bool checks() const { return mode != AutoUpdate::kOff; }
};

// Reads `auto_update` and `update_check` (top level or in [updates], [updates] winning) and
// `[updates] channel` from config.toml (defaults when the file does not exist).
// `update_check = false` is the same as auto_update = "off". Throws Error(kUsage) naming the
// file and key.
UpdateConfig load_update_config(const std::filesystem::path& config_file);

}  // namespace stigmer::config
