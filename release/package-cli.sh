#!/usr/bin/env bash
# Packs the stigmer executable as {outdir}/stigmer.tar.gz (stigmer.zip for windows-*), with the
# executable at the archive's root, as the manifest's `entry` says, beside LICENSE and
# THIRD_PARTY_NOTICES (the libraries compiled into it, from list-cli-libraries.py).
#
#   release/package-cli.sh PLATFORM STIGMER_EXECUTABLE LIBRARIES_JSON OUTDIR
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 4 ] || die "usage: package-cli.sh PLATFORM STIGMER_EXECUTABLE LIBRARIES_JSON OUTDIR"
platform=$1 exe=$2 libraries=$3 outdir=$4
[ -f "$exe" ] || die "$exe: no such file (build the CLI first)"
[ -f "$libraries" ] || die "$libraries: no such file (release/list-cli-libraries.py writes it)"
mkdir -p "$outdir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
py=$(python_bin)
"$py" "$RELEASE_DIR/write-notices.py" --artifact "stigmer.$(archive_ext "$platform") ($platform)" \
  --intro "The executable contains these libraries, compiled or linked in statically; their license texts, as their packages ship them, follow the list." \
  --components "$libraries" --out "$work/THIRD_PARTY_NOTICES"
ext=$(archive_ext "$platform")
"$py" "$RELEASE_DIR/pack.py" --format "$ext" --out "$outdir/stigmer.$ext" \
  "$exe=stigmer$(exe_suffix "$platform")" "$REPO_ROOT/LICENSE=LICENSE" "$work/THIRD_PARTY_NOTICES=THIRD_PARTY_NOTICES"
log "$outdir/stigmer.$ext"
