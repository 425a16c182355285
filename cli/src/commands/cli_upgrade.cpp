#include "commands/cli_upgrade.h"

#include "commands/version_command.h"
#include "update/cli_requirement.h"
#include "update/install_method.h"

namespace stigmer::commands {

std::string cli_upgrade_command(const Context& context, const std::string& version) {
    return update::upgrade_command_for_this_cli(context.settings().releases_url, version);
}

store::ReleaseStore::ManifestCheck refuse_if_cli_too_old(const Context& context) {
    return [&context](const release::SignedManifest& signed_manifest) {
        const auto& manifest = signed_manifest.manifest;
        if (update::cli_satisfies(manifest.min_cli_version, cli_version())) return;
        update::require_cli_for(manifest, cli_version(), signed_manifest.url,
                                cli_upgrade_command(context, *manifest.min_cli_version));
    };
}

}  // namespace stigmer::commands
