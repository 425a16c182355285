#!/usr/bin/env bash
# Cross-builds the CLI for linux-arm64 with Debian's aarch64 toolchain and runs its unit tests
# under qemu-user; then cross-builds the release CLI for the glibc floor with zig
# (static-deps.sh), checks it (check-portable.sh, --version under qemu) and packs
# out/cross/linux-arm64/stigmer.tar.gz with the release's script.
#
#   release/cross-build-arm64.sh [VERSION]      (default 0.0.0-cross)
#
# Installs what it needs once (root or sudo): g++-aarch64-linux-gnu, qemu-user and the arm64
# -dev packages of the CLI's libraries through multiarch.
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

version=${1:-0.0.0-cross}
valid_version "$version" || die "invalid version '$version'"
cd "$REPO_ROOT"
started=$SECONDS

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
packages=(g++-aarch64-linux-gnu qemu-user libcurl4-openssl-dev:arm64 libssl-dev:arm64
  libsodium-dev:arm64 libarchive-dev:arm64 libgtest-dev:arm64 libtomlplusplus-dev:arm64
  libacl1-dev:arm64 libzstd-dev:arm64 liblz4-dev:arm64 nettle-dev:arm64 libxml2-dev:arm64
  liblzma-dev:arm64 libbz2-dev:arm64 zlib1g-dev:arm64 nlohmann-json3-dev libcli11-dev)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  dpkg --print-foreign-architectures | grep -qx arm64 || as_root dpkg --add-architecture arm64
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

build=out/build/cli-linux-arm64
STIGMER_STATIC_DEPS=0 STIGMER_BUILD_TARGET=all bash "$RELEASE_DIR/build-cli.sh" "$version" "$build" \
  -DCMAKE_TOOLCHAIN_FILE="$RELEASE_DIR/cross/aarch64-linux-gnu.cmake" -DSTIGMER_BUILD_TESTS=ON >/dev/null
built=$((SECONDS - started))
file "$build/stigmer" | grep -q 'ARM aarch64' || die "$build/stigmer is not an arm64 executable: $(file "$build/stigmer")"

qemu=(qemu-aarch64 -L /usr/aarch64-linux-gnu)
"${qemu[@]}" "$build/stigmer" --version | grep -qF "$version" || die "stigmer --version under qemu does not print $version"
log "stigmer --version under qemu-aarch64: $("${qemu[@]}" "$build/stigmer" --version | head -n 1)"

# The unit tests, each run by ctest through the toolchain's emulator (qemu-aarch64). Tests that
# fork or block across threads and processes (child processes, the supervisor, the control
# socket, the leftover cleanup and force-stop of a daemon, a lock held by another process, a
# thread that wakes the event loop, concurrent writers) hang under qemu-user here, not on arm64
# hardware, so they are left to the ubuntu-24.04-arm runner; so is `integration`, which runs the
# executable directly (not through the emulator). A timeout turns any new hang into a failure.
exclude='^(ChildProcess|DetachedProcess|Supervisor|ControlSocket|CleanUpLeftovers|ForceStop)\.'
exclude+='|^FileLockTest\.(SecondHolderWaitsUntilFirstReleases|HolderIsFoundWithoutTakingTheLock)$'
exclude+='|^EventLoop\.(APostFromAnotherThreadEndsTheWaitAtOnce|AChildsExitWakesTheLoop)$'
exclude+='|^AtomicWriteTest\.ConcurrentWritersOfOneFileAllSucceedAndLeaveNoTemporary$|^integration$'
ctest --test-dir "$build" --output-on-failure -j "${STIGMER_BUILD_JOBS:-2}" --timeout 120 \
  -E "${STIGMER_CROSS_TEST_EXCLUDE:-$exclude}" >&2

# The release CLI for linux-arm64, as the workflow builds it: zig for the glibc floor
# (static-deps.sh cross-compiles), checked against the floor and run under qemu.
release_build=out/build/cli-linux-arm64-release
STIGMER_TARGET_PLATFORM=linux-arm64 bash "$RELEASE_DIR/build-cli.sh" "$version" "$release_build" >/dev/null
file "$release_build/stigmer" | grep -q 'ARM aarch64' || die "$release_build/stigmer is not an arm64 executable"
bash "$RELEASE_DIR/check-portable.sh" linux-arm64 "$release_build/stigmer"
"${qemu[@]}" "$release_build/stigmer" --version | grep -qF "$version" ||
  die "the release stigmer --version under qemu does not print $version"
"$(python_bin)" "$RELEASE_DIR/list-cli-libraries.py" --build-dir "$release_build" --platform linux-arm64 \
  --out out/cross/linux-arm64.libraries.json
bash "$RELEASE_DIR/package-cli.sh" linux-arm64 "$release_build/stigmer" out/cross/linux-arm64.libraries.json \
  out/cross/linux-arm64
log "linux-arm64 cross-build ok: build ${built}s, total $((SECONDS - started))s"
