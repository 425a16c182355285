#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "platform/platform.h"

namespace stigmer::store {

// Paths inside STIGMER_HOME (documented in docs/cli.md).
class Layout {
  public:
    explicit Layout(std::filesystem::path home) : home_(std::move(home)) {}

    const std::filesystem::path& home() const { return home_; }
    std::filesystem::path bin_dir() const { return home_ / "bin"; }
    std::filesystem::path launcher(const platform::Platform& platform,
                                   const std::string& component) const;
    std::filesystem::path versions_dir() const { return home_ / "versions"; }
    std::filesystem::path component_dir(const std::string& component) const {
        return versions_dir() / component;
    }
    std::filesystem::path version_dir(const std::string& component,
                                      const std::string& release_version) const {
        return component_dir(component) / release_version;
    }
    std::filesystem::path downloads_dir() const { return home_ / "downloads"; }
    // Verified manifests of installed releases: manifests/<version>/manifest.json(.minisig).
    std::filesystem::path manifest_dir(const std::string& release_version) const {
        return home_ / "manifests" / release_version;
    }
    std::filesystem::path manifests_dir() const { return home_ / "manifests"; }
    std::filesystem::path active_state_file() const { return home_ / "state" / "active.json"; }
    std::filesystem::path install_lock(const std::string& release_version) const {
        return home_ / "locks" / ("install-" + release_version + ".lock");
    }
    // Downloads are shared by digest, so they are locked by digest: two releases with one
    // artifact never write or consume each other's file.
    std::filesystem::path download_lock(const std::string& sha256) const {
        return home_ / "locks" / ("download-" + sha256 + ".lock");
    }
    // The release whose install holds `file` (versions/<component>/<release>/...), if any.
    std::optional<std::string> release_holding(const std::filesystem::path& file) const;
    std::filesystem::path state_lock() const { return home_ / "locks" / "state.lock"; }
    // The newest channel and manifest publication times verified (release::FreshnessGuard).
    std::filesystem::path freshness_record_file() const {
        return home_ / "state" / "release-freshness.json";
    }
    std::filesystem::path freshness_lock() const {
        return home_ / "locks" / "release-freshness.lock";
    }

  private:
    std::filesystem::path home_;
};

}  // namespace stigmer::store
