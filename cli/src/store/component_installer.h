#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "release/manifest.h"
#include "store/layout.h"

namespace stigmer::store {

// Written last inside versions/<component>/<version>/: its presence means "complete".
inline constexpr const char* kInstalledMarker = ".stigmer-installed.json";

struct InstalledComponent {
    std::string name;
    std::string release_version;
    std::string component_version;
    std::string sha256;  // of the artifact it was installed from
    std::filesystem::path directory;
    std::filesystem::path executable;
};

// The complete install of `component` for `release_version` whose artifact digest is
// `expected_sha256` (another platform's install does not count), or nullopt.
std::optional<InstalledComponent> find_installed_component(const Layout& layout,
                                                           const std::string& component,
                                                           const std::string& release_version,
                                                           const std::string& expected_sha256);

// Installs a verified artifact (`downloaded`, consumed) as versions/<component>/<release>/:
// unpacks into a temporary sibling directory, sets the executable bit on the entry, writes the
// marker, then renames the directory into place in one step.
InstalledComponent install_component(const Layout& layout, const std::string& component,
                                     const std::string& release_version,
                                     const release::Component& manifest_component,
                                     const release::Artifact& artifact,
                                     const std::filesystem::path& downloaded,
                                     const std::string& source_url);

// Temporary install directories are ".tmp~<version>~<random>": '~' never occurs in versions or
// in the random part, so the prefix names one version only.
std::string temporary_install_prefix(const std::string& release_version);

// Removes a component install: the marker first, so a half-removed tree never looks complete.
void remove_component_install(const std::filesystem::path& directory);

}  // namespace stigmer::store
