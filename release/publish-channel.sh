#!/usr/bin/env bash
# Points a channel at a finalized version: writes and signs {tree}/channels/{channel}.json.
# Run only after the version's artifacts are complete; a pre-release never moves `stable`.
#
#   release/publish-channel.sh TREE VERSION [CHANNEL]   (default: stable, preview or dev)
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then die "usage: publish-channel.sh TREE VERSION [CHANNEL]"; fi
tree=$1 version=$2
py=$(python_bin)
channel=${3:-$("$py" "$RELEASE_DIR/version.py" channel "$version")}
[ -f "$tree/$version/manifest.json.minisig" ] || die "$tree/$version is not finalized (run finalize.sh)"
"$py" "$RELEASE_DIR/make-channel.py" --tree "$tree" --version "$version" --channel "$channel"
bash "$RELEASE_DIR/sign.sh" "$tree/channels/$channel.json"
