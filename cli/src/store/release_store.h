#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "platform/platform.h"
#include "release/http_client.h"
#include "release/minisign.h"
#include "release/release_source.h"
#include "store/active_state.h"
#include "store/component_installer.h"
#include "store/layout.h"
#include "util/console.h"

namespace stigmer::store {

// Every runnable component of one release, installed and complete for one platform.
struct InstalledRelease {
    release::SignedManifest manifest;
    std::map<std::string, InstalledComponent> components;  // excludes the CLI itself

    // The executable of `component` (throws Error(kNotAvailable) if the release has none).
    const std::filesystem::path& executable(const std::string& component) const;
};

// What is on disk for one release version (for `server versions`).
struct StoredVersion {
    std::string version;
    bool complete = false;  // manifest verified and every component installed
    std::optional<release::Manifest> manifest;
};

// Releases installed in STIGMER_HOME. The entry point for "make sure release V is here and give
// me its executables": ensure_installed(). Everything else works offline.
class ReleaseStore {
  public:
    ReleaseStore(Layout layout, platform::Platform platform,
                 std::vector<release::PublicKey> trusted);

    const Layout& layout() const { return layout_; }
    const platform::Platform& platform() const { return platform_; }

    // Offline: the stored manifest of `version`, re-verified with the embedded keys.
    std::optional<release::SignedManifest> stored_manifest(const std::string& version) const;

    // Offline: the release if it is completely installed for this platform.
    std::optional<InstalledRelease> find_installed(const std::string& version) const;

    // Called with the release's manifest (stored or fetched) before anything is downloaded;
    // throws Error to refuse the release (e.g. one that needs a newer CLI).
    using ManifestCheck = std::function<void(const release::SignedManifest&)>;

    // Installs what is missing of `version` (network through `source` only then), under a
    // per-version lock: a concurrent process installing the same version is waited for and its
    // result used. Throws Error; never leaves an incomplete install that looks complete.
    InstalledRelease ensure_installed(const std::string& version, release::ReleaseSource& source,
                                      release::HttpClient& client, const Console& console,
                                      const ManifestCheck& check = {});

    // Points bin/ at `release` and records it as active (the old one becomes previous), under
    // the store lock and only if it is still installed (throws Error(kNotAvailable) if not).
    void activate(const InstalledRelease& release);

    ActiveState active_state() const { return load_active_state(layout_); }

    // Back to the previous active version (must still be installed); returns it.
    std::string rollback();

    // Versions removed (or that would be with dry_run): all but the active and previous ones
    // and those `in_use` (a runner still runs it, or executions are pinned to it).
    std::vector<std::string> prune(bool dry_run, const std::set<std::string>& in_use = {});

    std::vector<StoredVersion> stored_versions() const;

  private:
    void write_manifest(const release::SignedManifest& manifest);
    std::vector<std::pair<std::string, const release::Artifact*>> runnable_artifacts(
        const release::Manifest& manifest, const std::string& source) const;
    void switch_launchers(const InstalledRelease& release);

    Layout layout_;
    platform::Platform platform_;
    std::vector<release::PublicKey> trusted_;
};

}  // namespace stigmer::store
