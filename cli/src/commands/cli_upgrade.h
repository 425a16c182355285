#pragma once

#include <string>

#include "commands/context.h"
#include "store/release_store.h"

namespace stigmer::commands {

// How this CLI is upgraded to `version`, the way it was installed (brew, install.sh, zip).
std::string cli_upgrade_command(const Context& context, const std::string& version);

// For ReleaseStore::ensure_installed: refuses (kRefused, one line saying which CLI is needed and
// how to get it) a release whose min_cli_version is newer than this CLI.
store::ReleaseStore::ManifestCheck refuse_if_cli_too_old(const Context& context);

}  // namespace stigmer::commands
