#include "store/release_store.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "platform/file_lock.h"
#include "platform/fs.h"
#include "release/download.h"
#include "release/progress.h"
#include "release/url.h"
#include "util/error.h"
#include "util/files.h"

namespace stigmer::store {

namespace {

constexpr const char* kManifestFile = "manifest.json";
constexpr const char* kSignatureFile = "manifest.json.minisig";
constexpr const char* kSourceFile = "source-url";

std::set<std::string> directory_names(const std::filesystem::path& directory) {
    std::set<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
        const auto name = entry.path().filename().string();
        if (entry.is_directory(ec) && !name.starts_with(".")) names.insert(name);
    }
    return names;
}

void remove_stale_temporaries(const std::filesystem::path& component_dir,
                              const std::string& version) {
    // Called under the version's install lock: any temporary of that version is from a process
    // that died mid-install.
    std::error_code ec;
    const auto prefix = temporary_install_prefix(version);
    for (const auto& entry : std::filesystem::directory_iterator(component_dir, ec)) {
        if (entry.path().filename().string().starts_with(prefix)) {
            std::filesystem::remove_all(entry.path(), ec);
        }
    }
}

// A download untouched this long was abandoned (an install interrupted and never retried, a
// release never installed): one in progress rewrites its file continuously, so age alone tells
// them apart, whichever process or version the file belongs to.
constexpr auto kAbandonedDownloadAge = std::chrono::hours(24 * 7);

void remove_abandoned_downloads(const std::filesystem::path& downloads_dir) {
    const auto now = std::filesystem::file_time_type::clock::now();
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(downloads_dir, ec)) {
        std::error_code entry_ec;
        if (!entry.is_regular_file(entry_ec)) continue;
        const auto modified = entry.last_write_time(entry_ec);
        if (!entry_ec && now - modified > kAbandonedDownloadAge) {
            std::filesystem::remove(entry.path(), entry_ec);
        }
    }
}

}  // namespace

const std::filesystem::path& InstalledRelease::executable(const std::string& component) const {
    const auto it = components.find(component);
    if (it == components.end()) {
        throw Error(ExitCode::kNotAvailable,
                    "release " + manifest.manifest.version + " has no component " + component,
                    manifest.url, "check the release version");
    }
    return it->second.executable;
}

ReleaseStore::ReleaseStore(Layout layout, platform::Platform platform,
                           std::vector<release::PublicKey> trusted)
    : layout_(std::move(layout)), platform_(std::move(platform)), trusted_(std::move(trusted)) {}

std::optional<release::SignedManifest> ReleaseStore::stored_manifest(
    const std::string& version) const {
    const auto directory = layout_.manifest_dir(version);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(directory / kManifestFile, ec)) return std::nullopt;
    const auto path = (directory / kManifestFile).string();
    std::string source_url = path;
    if (std::filesystem::is_regular_file(directory / kSourceFile, ec)) {
        source_url = read_text_file(directory / kSourceFile);
    }
    auto manifest = release::verify_manifest(read_text_file(directory / kManifestFile),
                                             read_text_file(directory / kSignatureFile), version,
                                             path, trusted_);
    manifest.url = source_url;
    return manifest;
}

std::vector<std::pair<std::string, const release::Artifact*>> ReleaseStore::runnable_artifacts(
    const release::Manifest& manifest, const std::string& source) const {
    std::vector<std::pair<std::string, const release::Artifact*>> artifacts;
    for (const auto& [name, component] : manifest.components) {
        if (name == release::kCliComponent) continue;
        const auto it = component.platforms.find(platform_.key());
        if (it == component.platforms.end()) {
            throw Error(
                ExitCode::kNotAvailable,
                "release " + manifest.version + " has no " + name + " for " + platform_.key(),
                source, "choose another version (--version) or platform");
        }
        artifacts.emplace_back(name, &it->second);
    }
    return artifacts;
}

std::optional<InstalledRelease> ReleaseStore::find_installed(const std::string& version) const {
    std::optional<release::SignedManifest> manifest;
    try {
        manifest = stored_manifest(version);
    } catch (const Error&) {
        return std::nullopt;  // a damaged or untrusted stored manifest: reinstall from the network
    }
    if (!manifest) return std::nullopt;
    InstalledRelease installed{*manifest, {}};
    try {
        for (const auto& [name, artifact] : runnable_artifacts(manifest->manifest, manifest->url)) {
            auto component = find_installed_component(layout_, name, version, artifact->sha256);
            if (!component) return std::nullopt;
            installed.components.emplace(name, std::move(*component));
        }
    } catch (const Error&) {
        return std::nullopt;  // not published for this platform
    }
    return installed;
}

void ReleaseStore::write_manifest(const release::SignedManifest& manifest) {
    // Written after every component, so a stored manifest means "this release is installed".
    const auto directory = layout_.manifest_dir(manifest.manifest.version);
    create_directories_or_throw(directory);
    platform::write_file_atomically(directory / kSignatureFile, manifest.signature);
    platform::write_file_atomically(directory / kSourceFile, manifest.url);
    platform::write_file_atomically(directory / kManifestFile, manifest.text);
}

InstalledRelease ReleaseStore::ensure_installed(const std::string& version,
                                                release::ReleaseSource& source,
                                                release::HttpClient& client, const Console& console,
                                                const ManifestCheck& check) {
    const auto checked = [&](InstalledRelease installed) {
        if (check) check(installed.manifest);
        return installed;
    };
    if (auto installed = find_installed(version)) return checked(*installed);  // offline

    const auto lock_path = layout_.install_lock(version);
    const auto lock = platform::FileLock::acquire(lock_path, [&] {
        console.status("stigmer: another stigmer process is installing " + version +
                       "; waiting for it (" + lock_path.string() + ")");
    });
    // The process we waited for may have installed it.
    if (auto installed = find_installed(version)) return checked(*installed);

    const auto manifest = source.fetch_manifest(version);
    if (check) check(manifest);
    remove_abandoned_downloads(layout_.downloads_dir());
    InstalledRelease result{manifest, {}};
    for (const auto& [name, artifact] : runnable_artifacts(manifest.manifest, manifest.url)) {
        const auto& component = manifest.manifest.components.at(name);
        if (auto existing = find_installed_component(layout_, name, version, artifact->sha256)) {
            result.components.emplace(name, std::move(*existing));
            continue;
        }
        create_directories_or_throw(layout_.component_dir(name));
        remove_stale_temporaries(layout_.component_dir(name), version);
        const auto url = release::resolve_url(manifest.url, artifact->url);
        // Held until the download is consumed by the install: another release's install of the
        // same artifact (same digest) waits, then downloads it again for itself.
        const auto download_lock_path = layout_.download_lock(artifact->sha256);
        const auto download_lock = platform::FileLock::acquire(download_lock_path, [&] {
            console.status("stigmer: another stigmer process is downloading " + name + " " +
                           component.version + "; waiting for it (" + download_lock_path.string() +
                           ")");
        });
        console.status("stigmer: downloading " + name + " " + component.version + " (" +
                       release::ProgressBar::human_bytes(static_cast<double>(artifact->size)) +
                       ") from " + url);
        const auto downloaded = release::download_verified(
            client, {url, artifact->sha256, artifact->size, name + " " + component.version},
            layout_.downloads_dir(), console.show_progress());
        result.components.emplace(
            name, install_component(layout_, name, version, component, *artifact, downloaded, url));
    }
    write_manifest(manifest);
    return result;
}

void ReleaseStore::switch_launchers(const InstalledRelease& release) {
    create_directories_or_throw(layout_.bin_dir());
    for (const auto& [name, component] : release.components) {
        // Relative, so STIGMER_HOME can be moved as a whole.
        const auto target = std::filesystem::path("..") / "versions" / name /
                            component.release_version /
                            component.executable.lexically_relative(component.directory);
        platform::switch_launcher(layout_.launcher(platform_, name), target);
    }
}

void ReleaseStore::activate(const InstalledRelease& release) {
    const auto& version = release.manifest.manifest.version;
    const auto lock = platform::FileLock::acquire(layout_.state_lock());
    // Found before the lock: a prune since then may have removed it. Prune takes this lock too,
    // so what is found now stays until the launchers point at it.
    const auto installed = find_installed(version);
    if (!installed) {
        throw Error(ExitCode::kNotAvailable,
                    "release " + version + " was removed before it could be made active",
                    layout_.manifest_dir(version).string(),
                    "run `stigmer server install --version " + version + "` again");
    }
    switch_launchers(*installed);
    save_active_state(layout_, with_activated(load_active_state(layout_), version));
}

std::string ReleaseStore::rollback() {
    const auto lock = platform::FileLock::acquire(layout_.state_lock());
    const auto state = load_active_state(layout_);
    const auto previous = state.previous();
    if (!previous) {
        throw Error(ExitCode::kNotAvailable, "no previous version to roll back to",
                    layout_.active_state_file().string(),
                    "rollback works after `stigmer server update` or a second install");
    }
    const auto installed = find_installed(*previous);
    if (!installed) {
        throw Error(ExitCode::kNotAvailable, "previous version " + *previous + " is not installed",
                    layout_.version_dir("*", *previous).string(),
                    "run `stigmer server install --version " + *previous + "` first");
    }
    switch_launchers(*installed);
    save_active_state(layout_, with_rolled_back(state));
    return *previous;
}

std::vector<StoredVersion> ReleaseStore::stored_versions() const {
    std::set<std::string> versions = directory_names(layout_.manifests_dir());
    for (const auto& component : directory_names(layout_.versions_dir())) {
        for (const auto& version : directory_names(layout_.component_dir(component))) {
            versions.insert(version);
        }
    }
    std::vector<StoredVersion> result;
    for (const auto& version : versions) {
        StoredVersion stored{version, false, std::nullopt};
        try {
            if (auto manifest = stored_manifest(version)) stored.manifest = manifest->manifest;
        } catch (const Error&) {
        }
        stored.complete = find_installed(version).has_value();
        result.push_back(std::move(stored));
    }
    return result;
}

std::vector<std::string> ReleaseStore::prune(bool dry_run, const std::set<std::string>& in_use) {
    const auto lock = platform::FileLock::acquire(layout_.state_lock());
    const auto state = load_active_state(layout_);
    std::vector<std::string> removed;
    for (const auto& stored : stored_versions()) {
        if (stored.version == state.active || stored.version == state.previous()) continue;
        if (in_use.count(stored.version)) continue;
        removed.push_back(stored.version);
        if (dry_run) continue;
        // Wait for an install of this version in progress, so its files are not pulled away.
        const auto install_lock = platform::FileLock::acquire(layout_.install_lock(stored.version));
        remove_tree_or_throw(layout_.manifest_dir(stored.version));
        for (const auto& component : directory_names(layout_.versions_dir())) {
            const auto directory = layout_.version_dir(component, stored.version);
            std::error_code ec;
            if (std::filesystem::exists(directory, ec)) remove_component_install(directory);
        }
    }
    return removed;
}

}  // namespace stigmer::store
