#!/usr/bin/env bash
# Freezes the Linux agent-runner on the glibc floor of static-deps.lock (2.28): PyInstaller
# bundles the interpreter and its libraries from the machine it runs on, so it runs in an
# AlmaLinux 8 container (RHEL 8: glibc 2.28, and an AppStream python3.11 built with the shared
# libpython PyInstaller needs). The wheels the bundle carries are manylinux ones already.
#
#   release/build-agent-runner-linux.sh VERSION OUTDIR
#
# Writes OUTDIR/agent-runner-folder, what `make -C agent-runner build-binary` writes to
# agent-runner/dist/, and OUTDIR/python-distributions.json, what list-python-distributions.py
# lists of it from the container's environment (for the notices and the SBOM). Needs docker (the GitHub Linux runners have it); the repository is mounted
# read-only and nothing of the host's agent-runner/.venv is used. STIGMER_EL8_IMAGE overrides
# the image.
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 2 ] || die "usage: build-agent-runner-linux.sh VERSION OUTDIR"
version=$1 outdir=$2
valid_version "$version" || die "invalid version '$version'"
command -v docker >/dev/null 2>&1 || die "docker is needed to freeze the agent-runner on glibc $(lock_floor linux)"
image="${STIGMER_EL8_IMAGE:-almalinux:8.10}"
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
rm -rf "$outdir/agent-runner-folder" "$outdir/python-distributions.json"

# shellcheck disable=SC2016 # expanded in the container
docker run --rm -v "$REPO_ROOT:/src:ro" -v "$outdir:/out" -e VERSION="$version" \
  -e OWNER="$(id -u):$(id -g)" "$image" bash -euo pipefail -c '
    dnf install -y -q python3.11 python3.11-devel python3.11-pip make binutils findutils tar gzip >/dev/null
    python3.11 -m pip install --quiet "poetry>=1.8,<3"
    mkdir -p /build
    tar -C /src --exclude=agent-runner/.venv --exclude=agent-runner/dist --exclude=agent-runner/build \
      -cf - agent-runner | tar -C /build -xf -
    make -C /build/agent-runner build-binary VERSION="$VERSION"
    cp -a /build/agent-runner/dist/agent-runner-folder /out/
    /build/agent-runner/.venv/bin/python /src/release/list-python-distributions.py \
      --bundle /out/agent-runner-folder --python /build/agent-runner/.venv/bin/python \
      --out /out/python-distributions.json
    chown -R "$OWNER" /out/agent-runner-folder /out/python-distributions.json
  ' >&2
bash "$RELEASE_DIR/check-portable.sh" "$(host_platform)" "$outdir/agent-runner-folder"
log "$outdir/agent-runner-folder (frozen in $image)"
