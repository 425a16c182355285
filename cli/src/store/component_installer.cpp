#include "store/component_installer.h"

#include <nlohmann/json.hpp>

#include "platform/fs.h"
#include "release/archive.h"
#include "util/error.h"
#include "util/files.h"

namespace stigmer::store {

std::string temporary_install_prefix(const std::string& release_version) {
    return ".tmp~" + release_version + "~";
}

std::optional<InstalledComponent> find_installed_component(const Layout& layout,
                                                           const std::string& component,
                                                           const std::string& release_version,
                                                           const std::string& expected_sha256) {
    const auto directory = layout.version_dir(component, release_version);
    const auto marker = directory / kInstalledMarker;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(marker, ec)) return std::nullopt;
    try {
        const auto document = nlohmann::json::parse(read_text_file(marker));
        InstalledComponent installed;
        installed.name = component;
        installed.release_version = release_version;
        installed.component_version = document.at("component_version").get<std::string>();
        installed.sha256 = document.at("sha256").get<std::string>();
        installed.directory = directory;
        installed.executable = directory / document.at("entry").get<std::string>();
        if (!expected_sha256.empty() && installed.sha256 != expected_sha256) return std::nullopt;
        if (!std::filesystem::is_regular_file(installed.executable, ec)) return std::nullopt;
        return installed;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;  // a damaged marker means "not installed": it gets reinstalled
    }
}

InstalledComponent install_component(const Layout& layout, const std::string& component,
                                     const std::string& release_version,
                                     const release::Component& manifest_component,
                                     const release::Artifact& artifact,
                                     const std::filesystem::path& downloaded,
                                     const std::string& source_url) {
    const auto final_dir = layout.version_dir(component, release_version);
    create_directories_or_throw(layout.component_dir(component));
    // Unique, so concurrent or crashed installers never share one.
    const auto temp_dir = platform::create_temporary_directory(
        layout.component_dir(component), temporary_install_prefix(release_version));
    std::error_code mode_ec;  // mkdtemp makes it 0700; an install reads like any program's
    std::filesystem::permissions(temp_dir, std::filesystem::perms(0755), mode_ec);
    try {
        const auto executable = temp_dir / artifact.entry;
        if (artifact.format == release::ArtifactFormat::kBinary) {
            platform::rename_or_throw(downloaded, executable);
        } else {
            release::extract_archive(downloaded, artifact.format, temp_dir, source_url);
            std::error_code ec;
            std::filesystem::remove(downloaded, ec);
        }
        std::error_code ec;
        if (!std::filesystem::is_regular_file(executable, ec)) {
            throw Error(ExitCode::kVerification,
                        "the archive has no file '" + artifact.entry + "' (the manifest's entry)",
                        source_url, "the release is malformed; report it to its publisher");
        }
        platform::make_executable(executable);

        nlohmann::json marker;
        marker["component"] = component;
        marker["release_version"] = release_version;
        marker["component_version"] = manifest_component.version;
        marker["sha256"] = artifact.sha256;
        marker["format"] = std::string(release::format_name(artifact.format));
        marker["entry"] = artifact.entry;
        marker["source"] = source_url;
        platform::write_file_atomically(temp_dir / kInstalledMarker, marker.dump(2) + "\n");

        // A leftover from another platform or a damaged install is replaced.
        if (std::filesystem::exists(final_dir, ec)) remove_component_install(final_dir);
        platform::rename_or_throw(temp_dir, final_dir);
        platform::sync_directory(final_dir.parent_path());
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove_all(temp_dir, ec);
        throw;
    }
    auto installed = find_installed_component(layout, component, release_version, artifact.sha256);
    if (!installed) {
        throw Error(ExitCode::kLocalFiles, "install did not complete", final_dir.string(),
                    "check free space and permissions on STIGMER_HOME");
    }
    return *installed;
}

void remove_component_install(const std::filesystem::path& directory) {
    std::error_code ec;
    std::filesystem::remove(directory / kInstalledMarker, ec);
    remove_tree_or_throw(directory);
}

}  // namespace stigmer::store
