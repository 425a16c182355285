#!/usr/bin/env bash
# Installs the CLI's build dependencies on a CI runner (apt on Linux, Homebrew on macOS, vcpkg
# on Windows) and prints the extra CMake arguments that build needs, on one line, for
# STIGMER_CMAKE_ARGS (read by build-cli.sh). Used by ci.yml and release.yml alike.
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

platform=$(host_platform)
case "$platform" in
  linux-*)
    sudo apt-get update -qq >&2
    sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      build-essential cmake ninja-build pkg-config libcurl4-openssl-dev libssl-dev libsodium-dev \
      libarchive-dev nlohmann-json3-dev libcli11-dev libgtest-dev libtomlplusplus-dev >&2
    echo ""
    ;;
  darwin-*)
    brew install --quiet ninja pkg-config libsodium libarchive openssl@3 nlohmann-json cli11 \
      tomlplusplus googletest >&2
    # libarchive and openssl@3 are keg-only: CMake and pkg-config must be told where they are.
    echo "-DCMAKE_PREFIX_PATH=$(brew --prefix libarchive);$(brew --prefix openssl@3);$(brew --prefix)"
    ;;
  windows-*)
    root="${VCPKG_INSTALLATION_ROOT:?VCPKG_INSTALLATION_ROOT is not set (the GitHub Windows image sets it)}"
    root=$(cygpath -m "$root")
    # Static triplet and static CRT: stigmer.exe runs without any DLL beside it.
    "$root/vcpkg" install --triplet x64-windows-static curl openssl libsodium libarchive \
      nlohmann-json cli11 tomlplusplus gtest pkgconf >&2
    echo "-DCMAKE_TOOLCHAIN_FILE=$root/scripts/buildsystems/vcpkg.cmake -DVCPKG_TARGET_TRIPLET=x64-windows-static" \
      "-DCMAKE_MSVC_RUNTIME_LIBRARY=MultiThreaded -DPKG_CONFIG_EXECUTABLE=$root/installed/x64-windows-static/tools/pkgconf/pkgconf.exe"
    ;;
esac
