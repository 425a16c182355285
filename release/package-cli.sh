#!/usr/bin/env bash
# Packs the stigmer executable as {outdir}/stigmer.tar.gz (stigmer.zip for windows-*), with the
# executable at the archive's root, as the manifest's `entry` says.
#
#   release/package-cli.sh PLATFORM STIGMER_EXECUTABLE OUTDIR
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 3 ] || die "usage: package-cli.sh PLATFORM STIGMER_EXECUTABLE OUTDIR"
platform=$1 exe=$2 outdir=$3
[ -f "$exe" ] || die "$exe: no such file (build the CLI first)"
mkdir -p "$outdir"
ext=$(archive_ext "$platform")
"$(python_bin)" "$RELEASE_DIR/pack.py" --format "$ext" --out "$outdir/stigmer.$ext" \
  "$exe=stigmer$(exe_suffix "$platform")"
log "$outdir/stigmer.$ext"
