#!/usr/bin/env bash
# Configures the CLI with STIGMER_RELEASE_BUILD=ON: it must fail clearly without the release key,
# with a key embed that key only (not the development key), and during a key rotation embed
# both the current key and the next one.
set -euo pipefail
SOURCE_DIR="$1"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if cmake -S "$SOURCE_DIR" -B "$WORK/missing" -DSTIGMER_BUILD_TESTS=OFF -DSTIGMER_RELEASE_BUILD=ON \
  -DSTIGMER_RELEASE_PUBKEY="$WORK/absent.pub" >"$WORK/missing.log" 2>&1; then
  echo "configure succeeded without a release key" >&2
  exit 1
fi
grep -q "STIGMER_RELEASE_BUILD=ON needs the release public key" "$WORK/missing.log" || {
  cat "$WORK/missing.log" >&2
  exit 1
}

cmake -S "$SOURCE_DIR" -B "$WORK/ok" -DSTIGMER_BUILD_TESTS=OFF -DSTIGMER_RELEASE_BUILD=ON \
  -DSTIGMER_RELEASE_PUBKEY="$SOURCE_DIR/tests/unit/data/other.pub" >"$WORK/ok.log" 2>&1 || {
  cat "$WORK/ok.log" >&2
  exit 1
}
header="$WORK/ok/generated/embedded_keys.h"
grep -q "other.pub" "$header"
if grep -q "dev.pub" "$header"; then
  echo "release build embeds the development key" >&2
  exit 1
fi
cp "$SOURCE_DIR/tests/unit/data/other.pub" "$WORK/release-next.pub"
cmake -S "$SOURCE_DIR" -B "$WORK/rotation" -DSTIGMER_BUILD_TESTS=OFF -DSTIGMER_RELEASE_BUILD=ON \
  -DSTIGMER_RELEASE_PUBKEY="$SOURCE_DIR/../release/keys/dev.pub;$WORK/release-next.pub" \
  >"$WORK/rotation.log" 2>&1 || {
  cat "$WORK/rotation.log" >&2
  exit 1
}
header="$WORK/rotation/generated/embedded_keys.h"
if ! { grep -q "std::string_view, 2>" "$header" && grep -q "dev.pub" "$header" &&
  grep -q "release-next.pub" "$header"; }; then
  echo "a release build given two keys does not embed both:" >&2
  cat "$header" >&2
  exit 1
fi
echo "release-build key embedding: ok"
