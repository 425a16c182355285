#!/usr/bin/env bash
# Packs the agent-runner's one-folder bundle as {outdir}/agent-runner.tar.gz (agent-runner.zip
# for windows-*): the executable at the archive's root, as the manifest's `entry` says, beside
# its _internal/ folder and the agent-runner.version file it reports (docs/adr/0009).
#
#   release/package-agent-runner.sh PLATFORM FOLDER VERSION OUTDIR
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 4 ] || die "usage: package-agent-runner.sh PLATFORM FOLDER VERSION OUTDIR"
platform=$1 folder=$2 version=$3 outdir=$4
exe="agent-runner$(exe_suffix "$platform")"
if [ ! -f "$folder/$exe" ] || [ ! -d "$folder/_internal" ]; then
  die "$folder: not an agent-runner bundle (no $exe and _internal/; make -C agent-runner build-binary)"
fi
mkdir -p "$outdir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The version goes into the archive only: the build folder may be stamped by others meanwhile.
echo "$version" >"$work/agent-runner.version"
ext=$(archive_ext "$platform")
"$(python_bin)" "$RELEASE_DIR/pack.py" --format "$ext" --out "$outdir/agent-runner.$ext" \
  --dir "$folder" "$work/agent-runner.version=agent-runner.version"
log "$outdir/agent-runner.$ext"
