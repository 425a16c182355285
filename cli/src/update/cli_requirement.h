#pragma once

#include <optional>
#include <string>

#include "release/manifest.h"

namespace stigmer::update {

// Whether a CLI of version `cli` may run a release that needs `min_cli_version`. A version that
// cannot be ordered against it (a local build such as "dev-test") does not satisfy it: the
// release said what it needs and this CLI cannot show it has it.
bool cli_satisfies(const std::optional<std::string>& min_cli_version, const std::string& cli);

// Throws Error(kRefused) naming `source` when `manifest` needs a newer CLI than `cli`:
// "release 1.5.0 needs stigmer 1.5.0 or newer (this is 1.4.2)"; `upgrade` says how to get it.
void require_cli_for(const release::Manifest& manifest, const std::string& cli,
                     const std::string& source, const std::string& upgrade);

}  // namespace stigmer::update
