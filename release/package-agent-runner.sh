#!/usr/bin/env bash
# Packs the agent-runner's one-folder bundle as {outdir}/agent-runner.tar.gz (agent-runner.zip
# for windows-*): the executable at the archive's root, as the manifest's `entry` says, beside
# its _internal/ folder, the agent-runner.version file it reports (docs/adr/0009), LICENSE and
# THIRD_PARTY_NOTICES (the Python distributions inside, from list-python-distributions.py).
#
#   release/package-agent-runner.sh PLATFORM FOLDER VERSION DISTRIBUTIONS_JSON OUTDIR
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 5 ] || die "usage: package-agent-runner.sh PLATFORM FOLDER VERSION DISTRIBUTIONS_JSON OUTDIR"
platform=$1 folder=$2 version=$3 distributions=$4 outdir=$5
exe="agent-runner$(exe_suffix "$platform")"
if [ ! -f "$folder/$exe" ] || [ ! -d "$folder/_internal" ]; then
  die "$folder: not an agent-runner bundle (no $exe and _internal/; make -C agent-runner build-binary)"
fi
[ -f "$distributions" ] || die "$distributions: no such file (release/list-python-distributions.py writes it)"
mkdir -p "$outdir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The version goes into the archive only: the build folder may be stamped by others meanwhile.
echo "$version" >"$work/agent-runner.version"
py=$(python_bin)
"$py" "$RELEASE_DIR/write-notices.py" --artifact "agent-runner.$(archive_ext "$platform") ($platform)" \
  --intro "The bundle contains these Python distributions and interpreter; each distribution's license files, where it ships them, are in its _internal/*.dist-info/ folder, or follow the list for a distribution bundled without that folder." \
  --components "$distributions" --out "$work/THIRD_PARTY_NOTICES"
ext=$(archive_ext "$platform")
"$py" "$RELEASE_DIR/pack.py" --format "$ext" --out "$outdir/agent-runner.$ext" \
  --dir "$folder" "$work/agent-runner.version=agent-runner.version" \
  "$REPO_ROOT/LICENSE=LICENSE" "$work/THIRD_PARTY_NOTICES=THIRD_PARTY_NOTICES"
log "$outdir/agent-runner.$ext"
