#!/usr/bin/env bash
# Packs a locally built Temporal CLI like upstream's release archive (the `temporal`
# executable and LICENSE at the archive's root, symbols stripped as upstream's -s -w build),
# for local releases; the workflow mirrors upstream's own archive (fetch-temporal.sh).
#
#   release/package-temporal.sh PLATFORM TEMPORAL_EXECUTABLE OUTDIR
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 3 ] || die "usage: package-temporal.sh PLATFORM TEMPORAL_EXECUTABLE OUTDIR"
platform=$1 exe=$2 outdir=$3
[ -x "$exe" ] || die "$exe: not an executable (make setup builds it)"
mkdir -p "$outdir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
name="temporal$(exe_suffix "$platform")"
cp "$exe" "$work/$name"
case "$platform" in linux-*) strip "$work/$name" 2>/dev/null || log "strip failed; packing unstripped" ;; esac
files=("$work/$name=$name")
# Upstream's archive carries its LICENSE (MIT); so must this one.
license="$(go env GOMODCACHE 2>/dev/null || true)/github.com/temporalio/cli@v$(temporal_version)/LICENSE"
[ -f "$license" ] || die "$license: missing (go mod download github.com/temporalio/cli@v$(temporal_version))"
files+=("$license=LICENSE")
ext=$(archive_ext "$platform")
"$(python_bin)" "$RELEASE_DIR/pack.py" --format "$ext" --out "$outdir/temporal.$ext" "${files[@]}"
log "$outdir/temporal.$ext"
