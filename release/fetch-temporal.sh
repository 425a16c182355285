#!/usr/bin/env bash
# Mirrors the pinned upstream Temporal CLI release archive for one platform into a release
# tree, after checking it against the sha256 committed in release/TEMPORAL_SHA256SUMS.
#
#   release/fetch-temporal.sh PLATFORM OUTDIR
#
# Upstream's checksums.txt is not read: it comes from the same release as the archive, so whoever
# could replace the one could replace the other. The committed sums come from elsewhere (the
# file's header says where), and a TEMPORAL_VERSION without them is refused before any download.
#
# TEMPORAL_RELEASES_URL overrides upstream (https://github.com/temporalio/cli/releases/download),
# e.g. for the tests, which serve a copy of the layout from loopback.
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 2 ] || die "usage: fetch-temporal.sh PLATFORM OUTDIR"
platform=$1 outdir=$2
version=$(temporal_version)
base="${TEMPORAL_RELEASES_URL:-https://github.com/temporalio/cli/releases/download}/v$version"
ext=$(archive_ext "$platform")
asset=$(temporal_asset "$platform")
expected=$(temporal_pinned_sha256 "$asset")
[[ "$expected" =~ ^[0-9a-f]{64}$ ]] ||
  die "Temporal $version: $asset has no pinned sha256 in release/TEMPORAL_SHA256SUMS (pin all five archives when bumping release/TEMPORAL_VERSION)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsSL --retry 3 -o "$work/$asset" "$base/$asset" || die "cannot download $base/$asset"
actual=$(sha256_of "$work/$asset")
[ "$actual" = "$expected" ] || die "$asset: sha256 $actual does not match the pinned $expected (release/TEMPORAL_SHA256SUMS)"
mkdir -p "$outdir"
mv "$work/$asset" "$outdir/temporal.$ext"
log "$outdir/temporal.$ext ($asset, sha256 $actual, the pinned sum)"
