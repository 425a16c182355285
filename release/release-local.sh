#!/usr/bin/env bash
# `make release-local`: builds the linux-amd64 artifacts here and writes the same release tree
# the release workflow publishes, signed with the development key, into out/releases.
#
#   release/release-local.sh VERSION
#
# Environment (all optional):
#   STIGMER_RELEASE_OUT           tree root (default out/releases; the releases base URL)
#   STIGMER_RELEASE_CHANNEL       channel to point at VERSION (default: dev, preview or stable by version)
#   STIGMER_CLI_BINARY            use this stigmer executable instead of building one
#   STIGMER_CLI_BUILD_DIR         its CMake build directory (default: the executable's folder)
#   STIGMER_AGENT_RUNNER_FOLDER   ship this one-folder agent-runner bundle instead of building one
#   STIGMER_AGENT_RUNNER_PYTHON   the interpreter of the venv that bundle was frozen from
#                                 (default agent-runner/.venv/bin/python)
#   STIGMER_TOOLS_DIR             where `make setup` put the Temporal CLI
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 1 ] || die "usage: release-local.sh VERSION"
version=$1
valid_version "$version" || die "invalid version '$version' (allowed: [A-Za-z0-9._+-])"
platform=$(host_platform)
[ "$platform" = linux-amd64 ] || die "release-local builds linux-amd64 only (this is $platform)"
cd "$REPO_ROOT"
out="${STIGMER_RELEASE_OUT:-out/releases}"
tools="${STIGMER_TOOLS_DIR:-$HOME/.cache/stigmer-dev/bin}"
started=$SECONDS

# 1. The CLI: a development build (trusts release/keys/dev.pub) stamped with VERSION.
cli="${STIGMER_CLI_BINARY:-}"
if [ -z "$cli" ]; then
  log "building the CLI $version"
  # Its own build directory per toolchain: switching would rebuild everything each time.
  cli=$(bash "$RELEASE_DIR/build-cli.sh" "$version" \
    "out/build/cli-$platform$([ "${STIGMER_STATIC_DEPS:-1}" = 0 ] && echo -host)")
fi

# 2. The agent-runner's one-folder bundle (PyInstaller, native only; rebuilt only when its
#    sources changed).
runner="${STIGMER_AGENT_RUNNER_FOLDER:-}"
if [ -z "$runner" ]; then
  log "building the agent-runner bundle (if its sources changed)"
  make --no-print-directory -C agent-runner build-binary VERSION="$version" >&2
  runner=agent-runner/dist/agent-runner-folder
fi

# 3. What is inside each, from the builds themselves (notices and SBOM): the CLI's build
#    directory, and the agent-runner bundle checked against the venv PyInstaller froze.
py=$(python_bin)
parts=$(mktemp -d)
trap 'rm -rf "$parts"' EXIT
mkdir -p "$parts/$platform"
"$py" "$RELEASE_DIR/list-cli-libraries.py" --build-dir "${STIGMER_CLI_BUILD_DIR:-$(dirname "$cli")}" \
  --platform "$platform" --out "$parts/$platform/cli-libraries.json"
"$py" "$RELEASE_DIR/list-python-distributions.py" --bundle "$runner" \
  --python "${STIGMER_AGENT_RUNNER_PYTHON:-agent-runner/.venv/bin/python}" --out "$parts/$platform/python-distributions.json"

# 4. Stage the platform directory exactly as the workflow does, then the SBOM, finalize and sign.
staging="$out/$version/$platform"
rm -rf "${out:?}/$version"
mkdir -p "$staging"
bash "$RELEASE_DIR/package-cli.sh" "$platform" "$cli" "$parts/$platform/cli-libraries.json" "$staging"
bash "$RELEASE_DIR/package-agent-runner.sh" "$platform" "$runner" "$version" "$parts/$platform/python-distributions.json" "$staging"
bash "$RELEASE_DIR/package-temporal.sh" "$platform" "$tools/temporal" "$staging"
"$py" "$RELEASE_DIR/make-sbom.py" --tree "$out" --version "$version" --temporal-version "$(temporal_version)" --parts "$parts"
bash "$RELEASE_DIR/finalize.sh" "$out" "$version"
bash "$RELEASE_DIR/publish-channel.sh" "$out" "$version" ${STIGMER_RELEASE_CHANNEL:+"$STIGMER_RELEASE_CHANNEL"}
cp "$RELEASE_DIR/install.sh" "$out/install.sh"

log "release $version written to $out in $((SECONDS - started))s:"
(cd "$out" && find . -type f | sort | while read -r f; do printf '  %10s  %s\n' "$(file_size "$f")" "${f#./}"; done) >&2
