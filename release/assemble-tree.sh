#!/usr/bin/env bash
# Assembles the release tree from the build jobs' downloaded artifacts: DOWNLOADS/platform-{p}/
# (the three archives) become TREE/VERSION/{p}/, and DOWNLOADS/sbom-parts-{p}/ the SBOM's parts,
# from which it writes TREE/VERSION/sbom.cdx.json. Used by the publish job and the dry run alike.
#
#   release/assemble-tree.sh DOWNLOADS TREE VERSION
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 3 ] || die "usage: assemble-tree.sh DOWNLOADS TREE VERSION"
downloads=$1 tree=$2 version=$3
valid_version "$version" || die "invalid version '$version'"
compgen -G "$downloads/platform-*" >/dev/null || die "$downloads holds no platform-* artifact"
parts=$(mktemp -d)
trap 'rm -rf "$parts"' EXIT
mkdir -p "$tree/$version"
for dir in "$downloads"/platform-*; do
  mv "$dir" "$tree/$version/${dir##*/platform-}"
done
for dir in "$downloads"/sbom-parts-*; do
  [ -d "$dir" ] || continue
  mv "$dir" "$parts/${dir##*/sbom-parts-}"
done
"$(python_bin)" "$RELEASE_DIR/make-sbom.py" --tree "$tree" --version "$version" \
  --temporal-version "${STIGMER_TEMPORAL_VERSION:-$(temporal_version)}" --parts "$parts"
