#!/usr/bin/env bash
# Prints release/install.sh with the release public key written in, so that an installer
# fetched from the bucket checks SHA256SUMS's signature wherever minisign is installed.
#
#   release/stamp-installer.sh PUBKEY_FILE > TREE/install.sh
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 1 ] || die "usage: stamp-installer.sh PUBKEY_FILE (a minisign .pub file)"
[ -f "$1" ] || die "$1 does not exist (the release key is release/keys/release.pub: docs/releasing.md, 'First release')"
key=$(sed -n 2p "$1" | tr -d '\r')
[[ "$key" =~ ^RW[A-Za-z0-9+/]{54}$ ]] || die "$1 is not a minisign public key file (its second line should be RW... , 56 characters)"
grep -q '^release_pubkey=""$' "$RELEASE_DIR/install.sh" || die "release/install.sh has no empty release_pubkey= line to fill"
sed "s|^release_pubkey=\"\"\$|release_pubkey=\"$key\"|" "$RELEASE_DIR/install.sh"
