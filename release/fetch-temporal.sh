#!/usr/bin/env bash
# Mirrors the pinned upstream Temporal CLI release archive for one platform into a release
# tree, after checking it against upstream's published checksums.txt.
#
#   release/fetch-temporal.sh PLATFORM OUTDIR
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
asset="temporal_cli_${version}_${platform%-*}_${platform#*-}.$ext"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsSL --retry 3 -o "$work/checksums.txt" "$base/checksums.txt" || die "cannot download $base/checksums.txt"
curl -fsSL --retry 3 -o "$work/$asset" "$base/$asset" || die "cannot download $base/$asset"
expected=$(awk -v name="$asset" '$2 == name || $2 == "*" name { print $1 }' "$work/checksums.txt")
[ -n "$expected" ] || die "$asset is not listed in $base/checksums.txt"
actual=$(sha256_of "$work/$asset")
[ "$actual" = "$expected" ] || die "$asset: sha256 $actual does not match upstream's $expected"
mkdir -p "$outdir"
mv "$work/$asset" "$outdir/temporal.$ext"
log "$outdir/temporal.$ext ($asset, sha256 $actual, checked against upstream checksums.txt)"
