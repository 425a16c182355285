#include "update/cli_requirement.h"

#include "util/error.h"
#include "util/semver.h"

namespace stigmer::update {

bool cli_satisfies(const std::optional<std::string>& min_cli_version, const std::string& cli) {
    if (!min_cli_version) return true;
    const auto order = compare_versions(cli, *min_cli_version);
    return order == VersionOrder::kEqual || order == VersionOrder::kGreater;
}

void require_cli_for(const release::Manifest& manifest, const std::string& cli,
                     const std::string& source, const std::string& upgrade) {
    if (cli_satisfies(manifest.min_cli_version, cli)) return;
    throw Error(ExitCode::kRefused,
                "release " + manifest.version + " needs stigmer " + *manifest.min_cli_version +
                    " or newer (this is " + cli + ")",
                source, "upgrade the CLI first: " + upgrade);
}

}  // namespace stigmer::update
