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
# "darwin" (a macOS version), from static-deps.lock.
lock_floor() {
  local key floor
  case "$1" in linux) key=glibc-floor ;; darwin) key=macos-floor ;; *) die "no floor for '$1'" ;; esac
  floor=$(awk -v key="$key" '$1 == key { print $2 }' "$RELEASE_DIR/static-deps.lock")
  [ -n "$floor" ] || die "$RELEASE_DIR/static-deps.lock names no $key"
  echo "$floor"
}
