# shellcheck shell=bash
# Helpers sourced by the release scripts (bash, also under Git Bash on Windows runners).

RELEASE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$RELEASE_DIR/.." && pwd)"
export RELEASE_DIR REPO_ROOT

log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# python3 on Linux/macOS runners and here; `python` on Windows runners.
python_bin() {
  if command -v python3 >/dev/null 2>&1 && python3 -c 'import sys' >/dev/null 2>&1; then
    echo python3
  else
    echo python
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

file_size() { wc -c <"$1" | tr -d ' '; }

temporal_version() { tr -d '[:space:]' <"$RELEASE_DIR/TEMPORAL_VERSION"; }

# Every release platform (the same list as stigrel/platforms.py; test_fetch_temporal.py checks).
export RELEASE_PLATFORMS="linux-amd64 linux-arm64 darwin-amd64 darwin-arm64 windows-amd64"

# Upstream's Temporal CLI archive name for a platform key, e.g. temporal_cli_1.5.1_linux_amd64.tar.gz.
temporal_asset() { echo "temporal_cli_$(temporal_version)_${1%-*}_${1#*-}.$(archive_ext "$1")"; }

# The committed sha256 of an upstream Temporal archive (release/TEMPORAL_SHA256SUMS), empty when
# it is not pinned.
temporal_pinned_sha256() {
  awk -v name="$1" '!/^#/ && $2 == name { print $1 }' "$RELEASE_DIR/TEMPORAL_SHA256SUMS"
}

# The release platform key ({os}-{arch}) of the machine running this script.
host_platform() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    MINGW* | MSYS* | CYGWIN*) os=windows ;;
    *) die "unsupported OS $(uname -s)" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "unsupported architecture $(uname -m)" ;;
  esac
  echo "$os-$arch"
}

exe_suffix() { case "$1" in windows-*) echo .exe ;; *) echo "" ;; esac; }
archive_ext() { case "$1" in windows-*) echo zip ;; *) echo tar.gz ;; esac; }

valid_version() { [[ "$1" =~ ^[A-Za-z0-9._+-]+$ ]] && [ "$1" != . ] && [ "$1" != .. ]; }

# The oldest OS release the release executables run on, for "linux" (a glibc version) or
# "darwin" (a macOS version), or the oldest libcurl the Linux CLI binds to ("libcurl"), from
# static-deps.lock.
lock_floor() {
  local key floor
  case "$1" in
    linux) key=glibc-floor ;;
    darwin) key=macos-floor ;;
    libcurl) key=libcurl-floor ;;
    *) die "no floor for '$1'" ;;
  esac
  floor=$(awk -v key="$key" '$1 == key { print $2 }' "$RELEASE_DIR/static-deps.lock")
  [ -n "$floor" ] || die "$RELEASE_DIR/static-deps.lock names no $key"
  echo "$floor"
}
