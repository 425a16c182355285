#!/usr/bin/env bash
# Checks that a release executable asks nothing of the user's machine beyond what every
# installation of its OS has, and prints the oldest C library it runs on. A CLI that links a
# library from the build machine's package manager would install fine and then not start.
#
#   release/check-portable.sh PLATFORM EXECUTABLE
#
# linux-*:  shared libraries limited to the C runtime and libcurl.so.4 (see cli/cmake/
#           Dependencies.cmake for why libcurl stays shared); prints the newest GLIBC_ symbol.
# darwin-*: only libraries under /usr/lib and /System (nothing from Homebrew).
# windows-*: nothing to check here; the static vcpkg triplet and CRT are set in cli-deps.sh.
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 2 ] || die "usage: check-portable.sh PLATFORM EXECUTABLE"
platform=$1 exe=$2
[ -f "$exe" ] || die "$exe: no such file"

case "$platform" in
  linux-*)
    allowed='^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libcurl\.so\.4|ld-linux-(x86-64|aarch64)\.so\.[12])$'
    needed=$(readelf -d "$exe" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p') ||
      die "$exe is not an ELF executable (readelf cannot read it)"
    [ -n "$needed" ] || die "$exe: readelf lists no shared libraries; expected a dynamically linked executable"
    foreign=$(grep -Ev "$allowed" <<<"$needed" | tr '\n' ' ' || true)
    [ -z "$foreign" ] ||
      die "$exe needs ${foreign% } from the build machine; build it with -DSTIGMER_PORTABLE=ON (release/build-cli.sh does)"
    floor=$(readelf --dyn-syms -W "$exe" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)
    log "$(basename "$exe") ($platform) needs $(tr '\n' ' ' <<<"$needed")and ${floor:-no versioned glibc symbol}"
    ;;
  darwin-*)
    foreign=$(otool -L "$exe" | tail -n +2 | awk '{print $1}' | grep -Ev '^(/usr/lib/|/System/Library/)' |
      tr '\n' ' ' || true)
    [ -z "$foreign" ] ||
      die "$exe needs ${foreign% }, which a Mac without Homebrew lacks; build it with -DSTIGMER_PORTABLE=ON"
    log "$(basename "$exe") ($platform) needs only system libraries"
    ;;
  windows-*) log "$(basename "$exe") ($platform): static triplet, not checked here" ;;
  *) die "unknown platform '$platform'" ;;
esac
