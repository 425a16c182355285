#!/usr/bin/env bash
# Turns a version directory full of artifacts into a release: SHA256SUMS, manifest.json and
# their signatures. Shared by the release workflow and `make release-local`.
#
#   release/finalize.sh TREE VERSION
#
# STIGMER_REQUIRE_ALL_PLATFORMS=1 (the workflow) refuses a release missing any platform.
# STIGMER_MIN_CLI_VERSION=1.4.0 writes min_cli_version into the manifest: older CLIs refuse the
# release and tell the user how to upgrade the CLI (docs/release-manifest.md).
# STIGMER_TEMPORAL_VERSION names the Temporal the tree's temporal.tar.gz carries when it is not
# release/TEMPORAL_VERSION (a tree assembled from another build's artifacts).
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 2 ] || die "usage: finalize.sh TREE VERSION"
tree=$1 version=$2
valid_version "$version" || die "invalid version '$version'"
[ -d "$tree/$version" ] || die "$tree/$version does not exist"

py=$(python_bin)
extra=()
[ "${STIGMER_REQUIRE_ALL_PLATFORMS:-0}" = 1 ] && extra=(--require-all-platforms)
[ -n "${STIGMER_MIN_CLI_VERSION:-}" ] && extra+=(--min-cli-version "$STIGMER_MIN_CLI_VERSION")
rm -f "$tree/$version"/{manifest.json,SHA256SUMS}{,.minisig}
"$py" "$RELEASE_DIR/make-sha256sums.py" --tree "$tree" --version "$version"
"$py" "$RELEASE_DIR/make-manifest.py" --tree "$tree" --version "$version" \
  --temporal-version "${STIGMER_TEMPORAL_VERSION:-$(temporal_version)}" ${extra[@]+"${extra[@]}"}
bash "$RELEASE_DIR/sign.sh" "$tree/$version/SHA256SUMS" "$tree/$version/manifest.json"
