#!/usr/bin/env bash
# Lays out a finalized release for a GitHub Release, whose assets have flat names:
# stigmer-{version}-{platform}.tar.gz|zip, agent-runner-{version}-{platform}.tar.gz|zip,
# temporal-{temporal version}-{platform}.tar.gz|zip, the SBOM (stigmer-{version}-sbom.cdx.json),
# the signed manifest and SHA256SUMS, and
# checksums.txt for the flat names (`sha256sum -c checksums.txt` in a download folder).
#
#   release/github-assets.sh TREE VERSION OUTDIR
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 3 ] || die "usage: github-assets.sh TREE VERSION OUTDIR"
tree=$1 version=$2 out=$3
dir="$tree/$version"
[ -f "$dir/manifest.json.minisig" ] || die "$dir is not finalized"
rm -rf "$out"
mkdir -p "$out"
for pdir in "$dir"/*/; do
  platform=$(basename "$pdir")
  ext=$(archive_ext "$platform")
  cp "$pdir/stigmer.$ext" "$out/stigmer-$version-$platform.$ext"
  cp "$pdir/agent-runner.$ext" "$out/agent-runner-$version-$platform.$ext"
  cp "$pdir/temporal.$ext" "$out/temporal-$(temporal_version)-$platform.$ext"
done
cp "$dir/sbom.cdx.json" "$out/stigmer-$version-sbom.cdx.json"
cp "$dir"/manifest.json "$dir"/manifest.json.minisig "$dir"/SHA256SUMS "$dir"/SHA256SUMS.minisig "$out/"
(
  cd "$out"
  for f in *; do
    case "$f" in manifest.json* | SHA256SUMS* | checksums.txt) continue ;; esac
    printf '%s  %s\n' "$(sha256_of "$f")" "$f"
  done
) >"$out/checksums.txt"
log "$(find "$out" -type f | wc -l | tr -d ' ') assets in $out"
