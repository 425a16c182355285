#!/usr/bin/env bash
# Idempotent development setup: installs what the build and the tests need, and
# skips every step whose result is already present. Safe to run on every `make`.
#
#   scripts/setup.sh          everything: the build, the demo and every test suite
#   scripts/setup.sh demo     only what `make demo` uses (no test-only tools: MinIO, actionlint,
#                             Temporal's server and PostgreSQL, googletest, linters, pytest)
set -euo pipefail

FOR="${1:-test}"
case "$FOR" in demo | test) ;; *) echo "usage: setup.sh [demo|test]" >&2; exit 2 ;; esac

TOOLS_DIR="${STIGMER_TOOLS_DIR:-$HOME/.cache/stigmer-dev/bin}"
TEMPORAL_CLI_VERSION="v1.5.1"
mkdir -p "$TOOLS_DIR"

log() { printf 'setup: %s\n' "$*"; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages: libraries the CLI links against (statically, for the portable release
# build) and the release tools; then what only the tests and linters drive.
APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libcurl4-openssl-dev libssl-dev libsodium-dev libarchive-dev
  libacl1-dev libzstd-dev liblz4-dev nettle-dev libxml2-dev liblzma-dev libbz2-dev zlib1g-dev
  nlohmann-json3-dev libcli11-dev libtomlplusplus-dev
  minisign binutils
)
if [ "$FOR" = test ]; then
  APT_PACKAGES+=(libgtest-dev googletest clang-format shellcheck ruby curl util-linux patchelf)
  APT_PACKAGES+=(postgresql) # the production-shaped Temporal of the cluster tests runs on it (tests/e2e)
  # The release CLI's libraries are built from Debian's sources for the glibc floor
  # (release/static-deps.sh); libsodium's needs autoreconf. The demo builds against this machine's.
  APT_PACKAGES+=(autoconf automake libtool patch xz-utils)
fi
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  apt_log=$(mktemp)
  if ! { sudo_if_needed apt-get update -qq &&
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
    cat "$apt_log"; log "apt-get failed"; exit 1
  fi
  rm -f "$apt_log"
fi

# Poetry, for the agent-runner's development environment.
if ! command -v poetry >/dev/null 2>&1; then
  log "installing Poetry"
  python3 -m pip install --quiet --disable-pip-version-check "poetry>=1.8,<3"
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
fi

# pytest for the repository-level suites (release, end-to-end).
if [ "$FOR" = test ] && ! python3 -c 'import pytest' 2>/dev/null; then
  log "installing pytest"
  python3 -m pip install --quiet --disable-pip-version-check pytest
fi

# cryptography makes the cluster tests' certificates (CA, server, clients, an expired one).
if [ "$FOR" = test ] && ! python3 -c 'import cryptography' 2>/dev/null; then
  log "installing cryptography"
  python3 -m pip install --quiet --disable-pip-version-check cryptography
fi

# The real Temporal CLI, built from the Go module proxy (later tags carry a
# replace directive that breaks `go install`, so the version is pinned).
# Stripped (-s -w) and stamped with its version the way upstream's release build does.
if [ ! -x "$TOOLS_DIR/temporal" ] || ! "$TOOLS_DIR/temporal" --version 2>/dev/null | grep -q "temporal version ${TEMPORAL_CLI_VERSION#v} "; then
  log "building Temporal CLI $TEMPORAL_CLI_VERSION from the Go module proxy (first time only)"
  GOBIN="$TOOLS_DIR" CGO_ENABLED=0 go install \
    -ldflags "-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION#v}" \
    "github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}"
fi

# Release checks and tests: actionlint (the workflows) and MinIO (a real S3-compatible server
# that release/upload.sh is tested against), built from the Go module proxy once. MinIO has
# no semver tags on the proxy, so it is pinned to a pseudo-version, recorded in a stamp file.
# The demo uses neither.
ACTIONLINT_VERSION="v1.7.12"
if [ "$FOR" = test ] && { [ ! -x "$TOOLS_DIR/actionlint" ] || ! "$TOOLS_DIR/actionlint" -version 2>/dev/null | grep -q "^${ACTIONLINT_VERSION}$"; }; then
  log "building actionlint $ACTIONLINT_VERSION from the Go module proxy (first time only)"
  GOBIN="$TOOLS_DIR" CGO_ENABLED=0 go install -ldflags "-s -w" \
    "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}"
fi
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
if [ "$FOR" = test ] && { [ ! -x "$TOOLS_DIR/minio" ] || [ "$(cat "$TOOLS_DIR/.minio-version" 2>/dev/null)" != "$MINIO_VERSION" ]; }; then
  log "building MinIO $MINIO_VERSION from the Go module proxy (first time only, ~5 minutes)"
  GOBIN="$TOOLS_DIR" CGO_ENABLED=0 go install -ldflags "-s -w" "github.com/minio/minio@${MINIO_VERSION}"
  echo "$MINIO_VERSION" >"$TOOLS_DIR/.minio-version"
fi

# A production-shaped Temporal for the cluster tests (tests/e2e): the server itself, the
# version the Temporal CLI above embeds, and its SQL schema tool, with the PostgreSQL schema
# files of that same module version. Built once, rebuilt when the version changes. Not for the demo.
if [ "$FOR" = test ]; then bash scripts/build-temporal-server.sh "$TOOLS_DIR"; fi

# The agent-runner's Python environment.
if [ -f agent-runner/pyproject.toml ]; then
  stamp="agent-runner/.venv/.stigmer-setup-stamp"
  lock_sum=$(cat agent-runner/pyproject.toml agent-runner/poetry.lock 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
    log "installing agent-runner dependencies with Poetry"
    (cd agent-runner && POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --no-interaction --quiet)
    echo "$lock_sum" > "$stamp"
  fi
fi

log "ready for $FOR (tools in $TOOLS_DIR)"
