#!/usr/bin/env bash
# Signs files with minisign (FILE.minisig beside each) and verifies each signature at once.
#
#   release/sign.sh FILE...
#
# Key: MINISIGN_SECRET_KEY (the key file's contents, as a CI secret) or MINISIGN_KEY_FILE
# (default: the development key release/keys/dev.key). MINISIGN_PASSWORD, if set, is given to
# minisign on stdin (the development key has none). The signature is checked against
# MINISIGN_PUBLIC_KEY_FILE (default release/keys/dev.pub for the development key).
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -ge 1 ] || die "usage: sign.sh FILE..."
command -v minisign >/dev/null 2>&1 || die "minisign is not installed (make setup)"

cleanup=""
trap '[ -z "$cleanup" ] || rm -rf "$cleanup"' EXIT
if [ -n "${MINISIGN_SECRET_KEY:-}" ]; then
  cleanup=$(mktemp -d)
  key_file="$cleanup/release.key"
  (umask 077 && printf '%s\n' "$MINISIGN_SECRET_KEY" >"$key_file")
  pub_file="${MINISIGN_PUBLIC_KEY_FILE:-}"
  [ -n "$pub_file" ] || die "MINISIGN_SECRET_KEY needs MINISIGN_PUBLIC_KEY_FILE to check what it signs"
else
  key_file="${MINISIGN_KEY_FILE:-$RELEASE_DIR/keys/dev.key}"
  pub_file="${MINISIGN_PUBLIC_KEY_FILE:-${key_file%.key}.pub}"
fi
[ -f "$key_file" ] || die "secret key $key_file not found"
[ -f "$pub_file" ] || die "public key $pub_file not found"

for file in "$@"; do
  [ -f "$file" ] || die "$file: no such file"
  # The trusted comment is signed too: it names the file, so a valid signature of one
  # file cannot be passed off as that of another name.
  # SOURCE_DATE_EPOCH (the tag's commit time in the workflow) makes a re-run sign identically.
  comment="stigmer $(basename "$(dirname "$file")")/$(basename "$file") timestamp:${SOURCE_DATE_EPOCH:-$(date -u +%s)}"
  # The password goes on stdin only when there is one: minisign does not read stdin for an
  # unencrypted key, and a writer into an unread pipe would fail the pipeline (pipefail).
  if ! why=$(minisign -S -s "$key_file" -m "$file" -x "$file.minisig" -t "$comment" 2>&1 \
    < <(if [ -n "${MINISIGN_PASSWORD:-}" ]; then printf '%s\n' "$MINISIGN_PASSWORD"; fi)); then
    die "signing $file failed: $(printf '%s' "$why" | tr '\n' ' ')"
  fi
  minisign -V -q -p "$pub_file" -m "$file" -x "$file.minisig" || die "$file.minisig does not verify with $pub_file"
  # The CLI accepts pre-hashed (ED) signatures only; minisign before 0.10 made legacy (Ed) ones.
  algorithm=$(sed -n 2p "$file.minisig" | base64 -d 2>/dev/null | head -c 2 || true)
  [ "$algorithm" = ED ] ||
    die "$file.minisig is a legacy (Ed) signature, which stigmer refuses: use minisign 0.10 or later"
  log "signed $file"
done
