#!/usr/bin/env bash
# Configures and builds the stigmer CLI for a release in its own build directory (never
# cli/build, which belongs to the developer), and prints the executable's path.
#
#   release/build-cli.sh VERSION BUILD_DIR [extra cmake arguments...]
#
# STIGMER_CMAKE_ARGS (space-separated, from cli-deps.sh on CI runners) adds more arguments;
# STIGMER_BUILD_TARGET (default stigmer) is the target built, `all` to include the tests.
#
# Used by `make release-local`, the release workflow on every OS, and the arm64 cross-build.
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -ge 2 ] || die "usage: build-cli.sh VERSION BUILD_DIR [cmake args...]"
version=$1 build_dir=$2
shift 2
valid_version "$version" || die "invalid version '$version'"
[ -f "$REPO_ROOT/cli/CMakeLists.txt" ] || die "cli/CMakeLists.txt not found"

# Release executables carry their libraries (all but libcurl and the C runtime) inside, so
# they start on machines that never saw the build machine's package manager. On Windows the
# static vcpkg triplet from cli-deps.sh does the same.
portable=()
case "$(host_platform)" in windows-*) ;; *) portable=(-DSTIGMER_PORTABLE=ON) ;; esac

# Linux and macOS releases link libraries built for the oldest system they support, with a
# compiler told so (static-deps.sh, floors in static-deps.lock). STIGMER_STATIC_DEPS=0 builds
# against the build machine's own libraries instead: test builds (googletest is the build
# machine's) and the demo, which then runs only on machines like this one.
# STIGMER_TARGET_PLATFORM cross-builds with zig (linux-arm64 on linux-amd64).
target_platform="${STIGMER_TARGET_PLATFORM:-$(host_platform)}"
floor=()
case "$target_platform" in
  linux-* | darwin-*)
    if [ "${STIGMER_STATIC_DEPS:-1}" != 0 ]; then
      floor_args=$(bash "$RELEASE_DIR/static-deps.sh" "$target_platform")
      read -r -a floor <<<"$floor_args"
    fi
    ;;
esac

# CMake cannot switch compilers in a configured directory: a build made with another
# toolchain (or another floor) starts over.
toolchain="${floor[*]:-build machine}"
if [ -f "$build_dir/CMakeCache.txt" ] && [ "$(cat "$build_dir/.stigmer-toolchain" 2>/dev/null)" != "$toolchain" ]; then
  rm -rf "$build_dir"
fi
mkdir -p "$build_dir"
echo "$toolchain" >"$build_dir/.stigmer-toolchain"

generator=()
# Ninja where it is installed, except on Windows: there the default Visual Studio generator
# finds MSVC by itself, where Ninja would need a developer command prompt.
case "$(host_platform)" in
  windows-*) ;;
  *) if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi ;;
esac
read -r -a env_args <<<"${STIGMER_CMAKE_ARGS:-}"
cmake -S "$REPO_ROOT/cli" -B "$build_dir" ${generator[@]+"${generator[@]}"} \
  -DCMAKE_BUILD_TYPE=Release -DSTIGMER_VERSION="$version" -DSTIGMER_BUILD_TESTS=OFF \
  ${portable[@]+"${portable[@]}"} ${env_args[@]+"${env_args[@]}"} ${floor[@]+"${floor[@]}"} "$@" >&2
target=(--target "${STIGMER_BUILD_TARGET:-stigmer}")
# Visual Studio spells `all` ALL_BUILD; no --target builds everything with any generator.
if [ "${STIGMER_BUILD_TARGET:-}" = all ]; then target=(); fi
cmake --build "$build_dir" --config Release ${target[@]+"${target[@]}"} -j "${STIGMER_BUILD_JOBS:-2}" >&2

for candidate in "$build_dir/stigmer" "$build_dir/stigmer.exe" "$build_dir/Release/stigmer.exe"; do
  if [ -f "$candidate" ]; then echo "$candidate"; exit 0; fi
done
die "no stigmer executable under $build_dir"
