#!/usr/bin/env bash
# Points a channel at a finalized version: writes and signs {tree}/channels/{channel}.json.
# Run only after the version's artifacts are complete; a pre-release never moves `stable`, and
# a channel never moves to a version older than the one it names (semantic-version order)
# unless forced: --force or STIGMER_CHANNEL_FORCE=1, for a deliberate rollback.
#
#   release/publish-channel.sh [--force] TREE VERSION [CHANNEL]   (default: stable, preview or dev)
#
# The version the channel names now is read from TREE/channels/CHANNEL.json or, when the tree
# has none (the release workflow's fresh tree), from STIGMER_RELEASES_URL/channels/CHANNEL.json
# if STIGMER_RELEASES_URL is set (a 404 means the channel does not exist yet).
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

force=()
[ "${STIGMER_CHANNEL_FORCE:-0}" != 1 ] || force=(--force)
if [ "${1:-}" = --force ]; then force=(--force); shift; fi
if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then die "usage: publish-channel.sh [--force] TREE VERSION [CHANNEL]"; fi
tree=$1 version=$2
py=$(python_bin)
channel=${3:-$("$py" "$RELEASE_DIR/version.py" channel "$version")}
[ -f "$tree/$version/manifest.json.minisig" ] || die "$tree/$version is not finalized (run finalize.sh)"
current=()
if [ ! -f "$tree/channels/$channel.json" ] && [ -n "${STIGMER_RELEASES_URL:-}" ] && [ "${#force[@]}" -eq 0 ]; then
  url="${STIGMER_RELEASES_URL%/}/channels/$channel.json"
  live=$(mktemp)
  trap 'rm -f "$live"' EXIT
  code=$(curl -sS --retry 3 -o "$live" -w '%{http_code}' "$url") || die "cannot read $url (check STIGMER_RELEASES_URL)"
  case "$code" in
    200) current=(--current "$live") ;;
    404 | 403) log "$url does not exist yet: $channel starts at $version" ;;
    *) die "GET $url: HTTP $code (check STIGMER_RELEASES_URL)" ;;
  esac
fi
"$py" "$RELEASE_DIR/make-channel.py" --tree "$tree" --version "$version" --channel "$channel" \
  ${current[@]+"${current[@]}"} ${force[@]+"${force[@]}"}
bash "$RELEASE_DIR/sign.sh" "$tree/channels/$channel.json"
