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
    # The release CLI is built for the glibc floor by static-deps.sh, whatever Ubuntu this is;
    # these packages give the test build its libraries and that one its headers and libcurl.
    sudo apt-get update -qq >&2
    # autoconf, automake and libtool: static-deps.sh builds libsodium from its Debian source.
    packages=(build-essential cmake ninja-build pkg-config autoconf automake libtool libcurl4-openssl-dev libssl-dev
      libsodium-dev libarchive-dev nlohmann-json3-dev libcli11-dev libgtest-dev
      libacl1-dev libzstd-dev liblz4-dev nettle-dev libxml2-dev liblzma-dev libbz2-dev zlib1g-dev)
    toml_from_apt=false
    if apt-cache show libtomlplusplus-dev >/dev/null 2>&1; then
      packages+=(libtomlplusplus-dev) toml_from_apt=true
    fi
    sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${packages[@]}" >&2
    if [ "$toml_from_apt" = true ]; then
      echo ""
    else
      # Ubuntu 22.04 has no toml++ package; the CLI needs only its headers, from the tag
      # Debian packages (3.3.0).
      toml_dir="${RUNNER_TEMP:-/tmp}/tomlplusplus"
      [ -f "$toml_dir/include/toml++/toml.h" ] ||
        git clone --quiet --depth 1 --branch v3.3.0 https://github.com/marzer/tomlplusplus.git "$toml_dir" >&2
      echo "-DSTIGMER_TOMLPLUSPLUS_INCLUDE_DIR=$toml_dir/include"
    fi
    ;;
  darwin-*)
    # autoconf, automake and libtool: static-deps.sh builds libsodium for the macOS floor.
    brew install --quiet ninja pkg-config autoconf automake libtool libsodium libarchive openssl@3 \
      nlohmann-json cli11 tomlplusplus googletest >&2
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
