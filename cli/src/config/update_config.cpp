#include "config/update_config.h"

#include "config/config_file.h"
#include "util/semver.h"

namespace stigmer::config {
namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& key,
                       const std::string& problem) {
    throw_config_value_error(file, key, problem);
}

// The node of `key` in [updates], else at the top level; the name used in messages.
const toml::node* find(const toml::table& root, const char* key, std::string& name) {
    if (const auto* node = root.at_path(std::string("updates.") + key).node()) {
        name = std::string("[updates] ") + key;
        return node;
    }
    name = key;
    return root.get(key);
}

}  // namespace

UpdateConfig load_update_config(const std::filesystem::path& config_file) {
    UpdateConfig config;
    const auto root = read_config_file(config_file);
    if (root.contains("updates") && !root.get("updates")->is_table()) {
        fail(config_file, "updates", "must be a table ([updates])");
    }
    std::string name;
    if (const auto* node = find(root, "auto_update", name)) {
        const auto value = node->value<std::string>();
        if (!value || (*value != "off" && *value != "notify" && *value != "install")) {
            fail(config_file, name, "must be \"off\", \"notify\" or \"install\"");
        }
        config.mode = *value == "off"      ? AutoUpdate::kOff
                      : *value == "notify" ? AutoUpdate::kNotify
                                           : AutoUpdate::kInstall;
    }
    if (const auto* node = find(root, "update_check", name)) {
        const auto value = node->value<bool>();
        if (!value) fail(config_file, name, "must be true or false");
        if (!*value) config.mode = AutoUpdate::kOff;
    }
    if (const auto* node = root.at_path("updates.channel").node()) {
        const auto value = node->value<std::string>();
        if (!value || !is_valid_version_string(*value)) {
            fail(config_file, "[updates] channel", "must be a channel name such as \"stable\"");
        }
        config.channel = *value;
    }
    return config;
}

}  // namespace stigmer::config
