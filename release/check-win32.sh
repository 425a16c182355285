#!/usr/bin/env bash
# Syntax-checks the CLI's Windows build with MinGW-w64 (Debian: g++-mingw-w64-x86-64): every
# source the Windows build compiles (*_win32.cpp instead of *_posix.cpp) and the unit tests it
# builds, with the warning flags of the Linux build. Catches POSIX-only calls slipping into
# shared files and Windows files falling behind a header change. Only a syntax check: the
# Windows CI job (MSVC) builds, links and runs for real.
#
#   release/check-win32.sh
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

compiler=x86_64-w64-mingw32-g++-posix  # the posix thread model: std::thread and std::mutex
command -v "$compiler" >/dev/null 2>&1 ||
  die "$compiler not found: apt-get install g++-mingw-w64-x86-64"

# The libraries' headers, from the Debian packages the Linux build uses; only these, not all
# of /usr/include (glibc's headers would shadow MinGW's). Two directories: Debian keeps
# curl's headers and openssl's configuration headers under the multiarch directory.
multiarch=/usr/include/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
headers=$(mktemp -d)
trap 'rm -rf "$headers"' EXIT
mkdir -p "$headers/main" "$headers/multiarch"
for name in nlohmann CLI toml++ gtest archive.h archive_entry.h sodium sodium.h openssl; do
  [ -e "/usr/include/$name" ] && ln -sfn "/usr/include/$name" "$headers/main/$name"
done
for name in curl openssl; do
  [ -e "$multiarch/$name" ] && ln -sfn "$multiarch/$name" "$headers/multiarch/$name"
done

cli="$REPO_ROOT/cli"
# Sources: all of src/ but the POSIX implementations; tests: all but those CMakeLists.txt
# builds on POSIX only (the `if(NOT WIN32)` block).
posix_only_tests=$(sed -n '/^if(NOT WIN32)/,/^endif()/p' "$cli/tests/CMakeLists.txt" |
  grep -o 'unit/[a-z_]*\.cpp' || true)
files=()
while IFS= read -r file; do files+=("$file"); done < <(
  cd "$cli" && {
    find src -name '*.cpp' ! -name '*_posix.cpp'
    find tests/unit -name '*.cpp' | grep -vxF -f <(printf '%s\n' "${posix_only_tests:-none}" | sed 's|^|tests/|')
  } | sort)

# The header CMake generates from the key files: any key will do for a syntax check.
mkdir -p "$headers/generated"
sed -e 's/@STIGMER_TRUSTED_KEY_SOURCES@/check-win32 stub/' -e 's/@STIGMER_TRUSTED_KEY_COUNT@/1/' \
  -e 's/@STIGMER_TRUSTED_KEY_LINES@/    "",/' "$cli/cmake/trusted_keys.h.in" >"$headers/generated/embedded_keys.h"

export compiler cli headers
check_one() {
  cd "$cli" || return 1
  "$compiler" -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Wshadow \
    -Wconversion -Wsign-conversion -Wnon-virtual-dtor -Wold-style-cast -Werror \
    -D_WIN32_WINNT=0x0A00 -DWIN32_LEAN_AND_MEAN -DNOMINMAX -DSTIGMER_VERSION='"0.0.0-check"' \
    -DSTIGMER_TEST_DATA_DIR='"data"' -I src -I tests/unit -I "$headers/generated" \
    -isystem "$headers/main" -isystem "$headers/multiarch" "$1" && return 0
  echo "check-win32: $1 does not compile for Windows" >&2
  return 1
}
export -f check_one
# shellcheck disable=SC2016 # $1 is expanded by the inner bash
printf '%s\n' "${files[@]}" |
  xargs -P "${STIGMER_CHECK_JOBS:-$(nproc)}" -I{} bash -c 'check_one "$1"' _ {} ||
  die "some files do not compile for Windows (see above)"
echo "check-win32: ${#files[@]} files compile for Windows (MinGW-w64 syntax check)"
