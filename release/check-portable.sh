#!/usr/bin/env bash
# Checks that a release executable asks nothing of the user's machine beyond what every
# installation of its OS has, from the oldest release named in static-deps.lock on. A CLI that
# links a library from the build machine's package manager, or calls a newer glibc than the
# floor, would install fine and then not start.
#
#   release/check-portable.sh PLATFORM EXECUTABLE   the CLI
#   release/check-portable.sh PLATFORM FOLDER       a bundle (the agent-runner): every binary in it
#
# linux-*:  the CLI's shared libraries are limited to the C runtime and libcurl.so.4 (see
#           cli/cmake/Dependencies.cmake for why libcurl stays shared), without a symbol version
#           of libcurl's, and it calls only the functions of the libcurl floor; no binary asks
#           for a GLIBC_ version above the floor
#           (STIGMER_GLIBC_FLOOR overrides the lock's).
# darwin-*: the CLI links only libraries under /usr/lib and /System (nothing from Homebrew); no
#           binary's minos is above the macOS floor (STIGMER_MACOS_FLOOR overrides it).
# windows-*: nothing to check here; the static vcpkg triplet and CRT are set in cli-deps.sh.
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 2 ] || die "usage: check-portable.sh PLATFORM EXECUTABLE|FOLDER"
platform=$1 path=$2
[ -e "$path" ] || die "$path: no such file or folder"

# Reads every binary under PATH and sets `newest` (the highest floor any of them asks for) and
# `above` (those above FLOOR, one `file (version)` per line, newest first).
read_floors() { # kind floor
  local kind=$1 floor=$2 report
  report=$(find "$path" -type f -print0 | xargs -0 "$(python_bin)" "$RELEASE_DIR/binary_floor.py" "$kind") ||
    die "cannot read the binaries under $path"
  [ -n "$report" ] || die "$path: no $kind binary found"
  newest=$(awk -F'\t' '$2 != "-" { print $2 }' <<<"$report" | sort -V | tail -n 1)
  # Newest first: the files that ask the most are named in the error.
  above=$(awk -F'\t' -v floor="$floor" 'BEGIN { split(floor, f, ".") }
    $2 != "-" { split($2, v, "."); if (v[1] + 0 > f[1] + 0 || (v[1] == f[1] && v[2] + 0 > f[2] + 0)) print $2 "\t" $1 }' \
    <<<"$report" | sort -t "$(printf '\t')" -k1,1rV -k2,2 | awk -F'\t' '{ print $2 " (" $1 ")" }')
}

case "$platform" in
  linux-*)
    floor="${STIGMER_GLIBC_FLOOR:-$(lock_floor linux)}"
    what="$(basename "$path")"
    if [ -f "$path" ]; then
      allowed='^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libcurl\.so\.4|ld-linux-(x86-64|aarch64)\.so\.[12])$'
      needed=$(readelf -d "$path" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p') ||
        die "$path is not an ELF executable (readelf cannot read it)"
      [ -n "$needed" ] || die "$path: readelf lists no shared libraries; expected a dynamically linked executable"
      foreign=$(grep -Ev "$allowed" <<<"$needed" | tr '\n' ' ' || true)
      [ -z "$foreign" ] ||
        die "$path needs ${foreign% } from the build machine; build it with -DSTIGMER_PORTABLE=ON (release/build-cli.sh does)"
      # Only Debian-family libcurl tags its symbols CURL_OPENSSL_4; Fedora's and RHEL's tag none.
      curl_tags=$(readelf -V -W "$path" | awk '/File: libcurl/ { on = 1; next } /File:/ { on = 0 }
        on && /Name:/ { for (i = 1; i < NF; i++) if ($i == "Name:") print $(i + 1) }' | tr '\n' ' ')
      [ -z "$curl_tags" ] ||
        die "$path asks libcurl.so.4 for symbol version(s) ${curl_tags% }, which not every distribution's libcurl has; link it against static-deps.sh's stand-in (release/build-cli.sh does)"
      # It binds to the user's libcurl.so.4, which may be as old as the lock's libcurl floor.
      curl_floor=$(lock_floor libcurl)
      late=$(readelf --dyn-syms -W "$path" | awk '$7 == "UND" && $8 ~ /^curl_/ { sub(/@.*/, "", $8); print $8 }' |
        sort -u | grep -vxF -f <(grep -v '^#' "$RELEASE_DIR/libcurl-floor-functions.txt") | tr '\n' ' ' || true)
      [ -z "$late" ] ||
        die "$path calls ${late% } of libcurl, which libcurl $curl_floor (the floor of release/static-deps.lock; RHEL 8) lacks; use what release/libcurl-floor-functions.txt lists"
      what="$what needs $(tr '\n' ' ' <<<"$needed")(libcurl $curl_floor functions only) and"
    fi
    read_floors glibc "$floor"
    [ -z "$above" ] || die "$(wc -l <<<"$above") file(s) need a glibc above the floor $floor of" \
      "release/static-deps.lock: $(head -n 3 <<<"$above" | paste -sd, - | sed 's/,/, /g')$([ "$(wc -l <<<"$above")" -gt 3 ] && echo ", ...");" \
      "release/build-cli.sh builds the CLI for the floor, release/build-agent-runner-linux.sh the agent-runner"
    log "$what GLIBC_${newest:-none} at most ($platform; floor $floor)"
    ;;
  darwin-*)
    floor="${STIGMER_MACOS_FLOOR:-$(lock_floor darwin)}"
    if [ -f "$path" ]; then
      foreign=$(otool -L "$path" | tail -n +2 | awk '{print $1}' | grep -Ev '^(/usr/lib/|/System/Library/)' |
        tr '\n' ' ' || true)
      [ -z "$foreign" ] ||
        die "$path needs ${foreign% }, which a Mac without Homebrew lacks; build it with -DSTIGMER_PORTABLE=ON"
    fi
    read_floors macos "$floor"
    [ -z "$above" ] || die "$(wc -l <<<"$above") file(s) need a macOS above the floor $floor of" \
      "release/static-deps.lock: $(head -n 3 <<<"$above" | paste -sd, - | sed 's/,/, /g')$([ "$(wc -l <<<"$above")" -gt 3 ] && echo ", ...");" \
      "build with MACOSX_DEPLOYMENT_TARGET=$floor (release/build-cli.sh sets it for the CLI)"
    log "$(basename "$path") ($platform) needs only system libraries and macOS ${newest:-none} at most (floor $floor)"
    ;;
  windows-*) log "$(basename "$path") ($platform): static triplet, not checked here" ;;
  *) die "unknown platform '$platform'" ;;
esac
