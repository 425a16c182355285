#!/usr/bin/env bash
# Builds what the release CLI links statically so that it runs on the oldest system named in
# static-deps.lock, whatever system the build machine has, and prints the CMake arguments for
# build-cli.sh on one line.
#   linux-*:  zig (from its PyPI wheel) compiles C and C++ against the stubs of the floor's glibc
#             and links LLVM's libc++ statically. zlib, libsodium and libarchive are built by it
#             (the build machine's own archives call newer glibc symbols); the header-only
#             libraries and libcurl's headers are copied into the prefix, because -isystem
#             /usr/include would bring the build machine's newer glibc headers along. libcurl
#             stays the system's shared libcurl.so.4 (cli/cmake/Dependencies.cmake).
#   darwin-*: the system compiler with the floor as deployment target builds libsodium and
#             libarchive (Homebrew's are built for the runner's macOS); zlib and libcurl are the
#             SDK's; the header-only libraries come from Homebrew (release/cli-deps.sh).
# Sources are Debian's source packages, pinned by sha256, for both.
#
#   release/static-deps.sh PLATFORM
#
# Cached under STIGMER_STATIC_DEPS_CACHE (default ~/.cache/stigmer-dev/static-deps), keyed by the
# lock file, this script and the platform; DEBIAN_MIRROR overrides http://deb.debian.org/debian.
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 1 ] || die "usage: static-deps.sh PLATFORM"
platform=$1
case "$platform" in
  linux-amd64) os=linux arch=x86_64 ;;
  linux-arm64) os=linux arch=aarch64 ;;
  darwin-amd64) os=darwin arch=x86_64 ;;
  darwin-arm64) os=darwin arch=arm64 ;;
  *) die "static-deps.sh builds for linux-* and darwin-*, not '$platform'" ;;
esac
lock="$RELEASE_DIR/static-deps.lock"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
floor=$(lock_floor "$os")
key=$(cat "$lock" "$0" | "$(python_bin)" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:16])')
cache="${STIGMER_STATIC_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stigmer-dev/static-deps}"
prefix="$cache/$platform-$key"

print_args() {
  if [ "$os" = linux ]; then
    echo "-DCMAKE_C_COMPILER=$prefix/bin/cc -DCMAKE_CXX_COMPILER=$prefix/bin/c++" \
      "-DCMAKE_AR=$prefix/bin/ar -DCMAKE_RANLIB=$prefix/bin/ranlib -DCMAKE_SKIP_BUILD_RPATH=ON" \
      "-DCMAKE_PREFIX_PATH=$prefix$([ -f "$prefix/include/toml++/toml.h" ] &&
        echo " -DSTIGMER_TOMLPLUSPLUS_INCLUDE_DIR=$prefix/include")"
  else
    echo "-DCMAKE_OSX_DEPLOYMENT_TARGET=$floor -DCMAKE_OSX_ARCHITECTURES=$arch" \
      "-DCMAKE_PREFIX_PATH=$prefix;$(brew --prefix)"
  fi
}
if [ -f "$prefix/.complete" ]; then
  print_args
  exit 0
fi

# One build per platform is kept: an older lock's is removed.
find "$cache" -maxdepth 1 -name "$platform-*" -exec rm -rf {} + 2>/dev/null || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$prefix/bin" "$prefix/include" "$prefix/lib"

# Debian's source package NAME at VERSION, unpacked with its patches into $work/NAME. The .dsc
# is checked against the lock, and every file it names against the .dsc. (By hand rather than
# with dpkg-source, which macOS lacks.)
unpack_source() {
  local name=$1 version=$2 dir=$3 dsc_sha=$4
  local dsc="${name}_${version#*:}.dsc"
  mkdir -p "$work/dl" "$work/$name"
  curl -fsL --retry 3 -o "$work/dl/$dsc" "$mirror/$dir/$dsc" ||
    die "cannot download $mirror/$dir/$dsc; if Debian has replaced it, update '$name' in $lock"
  [ "$(sha256_of "$work/dl/$dsc")" = "$dsc_sha" ] || die "$dsc does not match the sha256 in $lock"
  local sum file orig="" debian=""
  while read -r sum _ file; do
    curl -fsL --retry 3 -o "$work/dl/$file" "$mirror/$dir/$file" || die "cannot download $mirror/$dir/$file"
    [ "$(sha256_of "$work/dl/$file")" = "$sum" ] || die "$file does not match the sha256 in $dsc"
    case "$file" in
      *.asc) ;;
      *.orig.tar.*) orig=$file ;;
      *.debian.tar.*) debian=$file ;;
    esac
  done < <(awk '/^Checksums-Sha256:/ { on = 1; next } /^[^ ]/ { on = 0 } on && NF == 3 { print }' "$work/dl/$dsc")
  { [ -n "$orig" ] && [ -n "$debian" ]; } || die "$dsc names no .orig and .debian tarballs"
  tar -xf "$work/dl/$orig" -C "$work/$name" --strip-components=1
  tar -xf "$work/dl/$debian" -C "$work/$name"
  local patch level
  if [ -f "$work/$name/debian/patches/series" ]; then
    while read -r patch level; do
      case "$patch" in '' | '#'*) continue ;; esac
      patch -s -d "$work/$name" "${level:--p1}" <"$work/$name/debian/patches/$patch" ||
        die "$name: Debian's patch $patch does not apply"
    done <"$work/$name/debian/patches/series"
  fi
  # Its copyright file, for the release's notices and SBOM (release/stigrel/cli_libraries.py).
  mkdir -p "$prefix/share/doc/$name"
  cp "$work/$name/debian/copyright" "$prefix/share/doc/$name/copyright"
  log "$name $version (Debian source, sha256 pinned in static-deps.lock)"
}

while read -r _ name version dir dsc_sha platforms; do
  [[ ",$platforms," == *",$os,"* ]] && unpack_source "$name" "$version" "$dir" "$dsc_sha"
done < <(awk '$1 == "source"' "$lock")

# Hidden by default: a static library's symbols must not be exported from the executable, where
# libcurl's own zlib calls would bind to them (zig's linker has no --exclude-libs).
export CFLAGS="-O2 -fPIC -fvisibility=hidden -DSODIUM_STATIC"
if [ "$os" = linux ]; then
  # zig for the build machine's architecture, from the wheel pip checks against the lock.
  read -r -a zig_fields <<<"$(awk '$1 == "zig" { $1 = ""; print }' "$lock")"
  zig_version=${zig_fields[0]}
  host_zig="$cache/zig-$zig_version-$(uname -m)"
  if [ ! -x "$host_zig/ziglang/zig" ]; then
    {
      printf 'ziglang==%s' "$zig_version"
      for digest in "${zig_fields[@]:1}"; do printf ' --hash=sha256:%s' "$digest"; done
      echo
    } >"$work/zig-requirements.txt"
    "$(python_bin)" -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
      -r "$work/zig-requirements.txt" -d "$work/wheel" >&2 ||
      die "cannot download zig $zig_version from PyPI with a sha256 of $lock"
    rm -rf "$host_zig.part" && mkdir -p "$host_zig.part"
    "$(python_bin)" -m zipfile -e "$work"/wheel/ziglang-*.whl "$host_zig.part"
    chmod +x "$host_zig.part/ziglang/zig"
    rm -rf "$host_zig" && mv "$host_zig.part" "$host_zig"
  fi
  log "zig $zig_version (PyPI wheel, sha256 pinned in static-deps.lock), targeting glibc $floor"
  target="$arch-linux-gnu.$floor"
  for tool in cc c++; do
    printf '#!/bin/sh\nexec "%s" %s -target %s "$@"\n' "$host_zig/ziglang/zig" "$tool" "$target" >"$prefix/bin/$tool"
  done
  for tool in ar ranlib; do
    printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$host_zig/ziglang/zig" "$tool" >"$prefix/bin/$tool"
  done
  chmod +x "$prefix"/bin/*
  export CC="$prefix/bin/cc" AR="$prefix/bin/ar" RANLIB="$prefix/bin/ranlib"
  host="$arch-linux-gnu"
else
  export MACOSX_DEPLOYMENT_TARGET="$floor" CC=cc
  CFLAGS="$CFLAGS -arch $arch -mmacosx-version-min=$floor"
  host="$arch-apple-darwin"
  [ "$arch" = arm64 ] && host=aarch64-apple-darwin
fi

jobs="${STIGMER_BUILD_JOBS:-2}"
if [ "$os" = linux ]; then
  (cd "$work/zlib" && ./configure --static --prefix="$prefix" >&2 &&
    make -j "$jobs" libz.a >&2 && make install >&2) || die "building zlib failed"
fi
(cd "$work/libsodium" && { [ -x configure ] || autoreconf -fi >&2; } &&
  ./configure --host="$host" --disable-shared --enable-static --with-pic --prefix="$prefix" >&2 &&
  make -j "$jobs" >&2 && make install >&2) || die "building libsodium failed"
# Only what the CLI reads: gzip-compressed tar and zip (deflate), with no other library.
libarchive_args=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_PREFIX_PATH="$prefix"
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF
  -DENABLE_TEST=OFF -DENABLE_TAR=OFF -DENABLE_CPIO=OFF -DENABLE_CAT=OFF -DENABLE_UNZIP=OFF
  -DENABLE_OPENSSL=OFF -DENABLE_MBEDTLS=OFF -DENABLE_NETTLE=OFF -DENABLE_LZMA=OFF -DENABLE_ZSTD=OFF
  -DENABLE_LZ4=OFF -DENABLE_BZip2=OFF -DENABLE_LIBB2=OFF -DENABLE_LZO=OFF -DENABLE_LIBXML2=OFF
  -DENABLE_EXPAT=OFF -DENABLE_PCREPOSIX=OFF -DENABLE_PCRE2POSIX=OFF -DENABLE_ACL=OFF
  -DENABLE_XATTR=OFF -DENABLE_ICONV=OFF -DENABLE_CNG=OFF -DENABLE_WERROR=OFF)
if [ "$os" = linux ]; then
  libarchive_args+=(-DCMAKE_C_COMPILER="$CC" -DCMAKE_AR="$AR" -DCMAKE_RANLIB="$RANLIB")
else
  libarchive_args+=(-DCMAKE_OSX_DEPLOYMENT_TARGET="$floor" -DCMAKE_OSX_ARCHITECTURES="$arch")
fi
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
{ cmake -S "$work/libarchive" -B "$work/libarchive-build" ${generator[@]+"${generator[@]}"} "${libarchive_args[@]}" >&2 &&
  cmake --build "$work/libarchive-build" -j "$jobs" >&2 && cmake --install "$work/libarchive-build" >&2; } ||
  die "building libarchive failed"
rm -f "$prefix"/lib/*.so* "$prefix"/lib/*.dylib

if [ "$os" = linux ]; then
  # The header-only libraries and libcurl's headers, from the build machine's packages
  # (release/cli-deps.sh installs them); the link is against the system's libcurl.so.4.
  triplet="$arch-linux-gnu"
  for dir in nlohmann CLI toml++; do
    if [ -d "/usr/include/$dir" ]; then cp -r "/usr/include/$dir" "$prefix/include/"; fi
  done
  for dir in nlohmann_json CLI11; do
    if [ -d "/usr/share/cmake/$dir" ]; then
      mkdir -p "$prefix/share/cmake" && cp -r "/usr/share/cmake/$dir" "$prefix/share/cmake/"
    fi
  done
  curl_header=$(find "/usr/include/$triplet/curl" /usr/include/curl -name curl.h 2>/dev/null | head -n 1 || true)
  [ -n "$curl_header" ] || die "libcurl's headers are missing: install libcurl4-openssl-dev"
  cp -r "$(dirname "$curl_header")" "$prefix/include/curl"
  # The link is against a stand-in libcurl.so.4 defining every function the headers declare,
  # without symbol versions: the CLI then asks for none (Debian's libcurl tags its symbols
  # CURL_OPENSSL_4, Fedora's and RHEL's tag none) and binds to whichever libcurl.so.4 the user's
  # system has. It is never shipped or run.
  grep -ho 'CURL_EXTERN [^(]*(' "$prefix"/include/curl/*.h | grep -o '[A-Za-z_0-9]*($' | tr -d '(' |
    sort -u | awk '{ print "void " $1 "(void) {}" }' >"$work/libcurl-stand-in.c"
  [ -s "$work/libcurl-stand-in.c" ] || die "no function found in libcurl's headers"
  "$CC" -shared -fPIC -Wl,-soname,libcurl.so.4 -o "$prefix/lib/libcurl.so" "$work/libcurl-stand-in.c" ||
    die "building the libcurl.so.4 stand-in failed"
fi
# What it was built from, for the SBOM (cli_libraries.py finds the prefix by this file).
cp "$lock" "$prefix/static-deps.lock"
touch "$prefix/.complete"
log "static libraries for $platform (floor: $os $floor) in $prefix"
print_args
