#!/usr/bin/env bash
# Refuses, in one line, a release/TEMPORAL_VERSION whose five upstream archives are not all pinned
# in release/TEMPORAL_SHA256SUMS. The release workflow's first job runs it, so that a version bump
# without sums fails in seconds rather than after every platform's build.
#
#   release/check-temporal-pins.sh
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

missing=()
for platform in $RELEASE_PLATFORMS; do
  asset=$(temporal_asset "$platform")
  [[ "$(temporal_pinned_sha256 "$asset")" =~ ^[0-9a-f]{64}$ ]] || missing+=("$asset")
done
[ "${#missing[@]}" -eq 0 ] ||
  die "Temporal $(temporal_version): no pinned sha256 in release/TEMPORAL_SHA256SUMS for ${missing[*]} (pin all five archives when bumping release/TEMPORAL_VERSION)"
log "Temporal $(temporal_version): all five archives pinned"
