#!/bin/sh
# Installs the stigmer CLI on Linux or macOS:
#
#   curl -fsSL https://releases.stigmer.ai/install.sh | sh
#   curl -fsSL https://releases.stigmer.ai/install.sh | sh -s -- --version 1.2.3 --dir ~/bin
#   curl -fsSL https://releases.stigmer.ai/install.sh | sh -s -- --help
#
# Everything runs from main, called on the last line: a download cut short runs nothing.
set -eu

# The oldest glibc the Linux release runs on: the glibc-floor of release/static-deps.lock, which
# check-portable.sh enforces on every Linux binary (a test keeps the two equal).
glibc_floor=2.28
# The release key (release/keys/release.pub, second line), written in by stamp-installer.sh when
# the release workflow publishes this script; empty in the repository.
release_pubkey=""

usage() {
  cat <<'USAGE'
Installs the stigmer CLI into ~/.local/bin (Linux, macOS).

  curl -fsSL https://releases.stigmer.ai/install.sh | sh -s -- [options]

  --version V        install version V (STIGMER_VERSION; default: the channel's version)
  --channel C        stable, preview (STIGMER_CHANNEL; default stable)
  --dir D            install into D (STIGMER_INSTALL_DIR; default ~/.local/bin)
  --releases-url U   release server (STIGMER_RELEASES_URL; default https://releases.stigmer.ai)
  --uninstall        remove D/stigmer (your data in ~/.stigmer is kept)
  -h, --help         this text

The archive is checked against the release's SHA256SUMS. When minisign is installed,
SHA256SUMS's signature is checked with the release key (or STIGMER_PUBKEY, a minisign
public key), and an install whose signature does not verify is refused.
USAGE
}

die() { printf 'stigmer install: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'stigmer install: %s\n' "$*" >&2; }

# A version X.Y[.Z] as one comparable number (X.Y only).
version_number() { echo "$1" | awk -F. '{ printf "%d\n", $1 * 1000 + $2 }'; }

# One line refusing a C library the Linux release cannot run on.
check_libc() {
  if libc=$(getconf GNU_LIBC_VERSION 2>/dev/null); then
    have=${libc#glibc }
    [ "$(version_number "$have")" -ge "$(version_number "$glibc_floor")" ] ||
      die "this system has glibc $have; stigmer needs glibc $glibc_floor or newer (e.g. Debian 10, Ubuntu 20.04, RHEL 9): upgrade the system or run stigmer in a container"
  elif (ldd --version 2>&1 || true) | grep -qi musl || ls /lib/ld-musl-* >/dev/null 2>&1; then
    die "this system uses musl libc (e.g. Alpine); stigmer's Linux build needs glibc $glibc_floor or newer: use a glibc-based distribution or container"
  else
    say "cannot tell which C library this system has; stigmer needs glibc $glibc_floor or newer"
  fi
}

# The CLI links the system's libcurl.so.4 (any libcurl from 7.61 on, RHEL 8's): a system without
# it would install a CLI that cannot start. ldconfig's cache tells, where there is one.
check_libcurl() {
  ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
  [ -x "$ldconfig" ] || return 0
  cache=$("$ldconfig" -p 2>/dev/null) || return 0
  case "$cache" in
    *libcurl.so.4*) ;;
    *) die "this system has no libcurl.so.4, which stigmer links: install it (Debian, Ubuntu: apt-get install libcurl4; RHEL, Fedora: dnf install libcurl) and run this again" ;;
  esac
}

remove() {
  target="$install_dir/stigmer"
  [ -e "$target" ] || die "$target does not exist: nothing to uninstall (--dir names another directory)"
  # A stack still running would outlive its CLI.
  "$target" server stop >/dev/null 2>&1 || true
  rm -f "$target" || die "cannot remove $target"
  say "removed $target; your data in ${STIGMER_HOME:-$HOME/.stigmer} is kept (delete it yourself if you want it gone)"
}

main() {
  releases_url="${STIGMER_RELEASES_URL:-https://releases.stigmer.ai}"
  version="${STIGMER_VERSION:-}"
  channel="${STIGMER_CHANNEL:-stable}"
  install_dir="${STIGMER_INSTALL_DIR:-${HOME:?HOME is not set}/.local/bin}"
  uninstall=0

  while [ "$#" -gt 0 ]; do
    case "$1" in
      --version) [ "$#" -ge 2 ] || die "--version needs a value"; version=$2; shift 2 ;;
      --channel) [ "$#" -ge 2 ] || die "--channel needs a value"; channel=$2; shift 2 ;;
      --dir) [ "$#" -ge 2 ] || die "--dir needs a value"; install_dir=$2; shift 2 ;;
      --releases-url) [ "$#" -ge 2 ] || die "--releases-url needs a value"; releases_url=$2; shift 2 ;;
      --uninstall) uninstall=1; shift ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown option $1 (try --help)" ;;
    esac
  done
  releases_url=${releases_url%/}
  if [ "$uninstall" = 1 ]; then remove; return 0; fi

  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) die "unsupported OS $(uname -s): stigmer ships for Linux, macOS and Windows (use the .zip on Windows)" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "unsupported CPU architecture $(uname -m): stigmer ships for amd64 and arm64" ;;
  esac
  # A shell under Rosetta reports x86_64 on Apple silicon: install the native build.
  if [ "$os" = darwin ] && [ "$arch" = amd64 ] && [ "$(sysctl -n hw.optional.arm64 2>/dev/null || echo 0)" = 1 ]; then
    arch=arm64
  fi
  platform="$os-$arch"
  [ "$os" != linux ] || { check_libc; check_libcurl; }

  if command -v curl >/dev/null 2>&1; then
    fetch() { why=$(curl -fsSL --retry 3 -o "$2" "$1" 2>&1) || die "download failed: $1 (${why#curl: })"; }
  elif command -v wget >/dev/null 2>&1; then
    fetch() { wget -q -O "$2" "$1" || die "download failed: $1 (wget exit $?)"; }
  else
    die "neither curl nor wget is installed"
  fi
  if command -v sha256sum >/dev/null 2>&1; then
    sha256() { sha256sum "$1" | cut -d' ' -f1; }
  elif command -v shasum >/dev/null 2>&1; then
    sha256() { shasum -a 256 "$1" | cut -d' ' -f1; }
  else
    die "neither sha256sum nor shasum is installed"
  fi

  tmp=$(mktemp -d 2>/dev/null || mktemp -d -t stigmer-install)
  trap 'rm -rf "$tmp"' EXIT INT TERM

  if [ -z "$version" ]; then
    case "$channel" in *[!a-z0-9-]* | "") die "invalid channel '$channel'" ;; esac
    fetch "$releases_url/channels/$channel.json" "$tmp/channel.json"
    version=$(sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$tmp/channel.json" | head -n 1)
    [ -n "$version" ] || die "no version in $releases_url/channels/$channel.json"
  fi
  case "$version" in v[0-9]*) version=${version#v} ;; esac
  case "$version" in *[!A-Za-z0-9._+-]* | "" | . | ..) die "invalid version '$version'" ;; esac

  base="$releases_url/$version"
  say "installing stigmer $version for $platform from $base"
  fetch "$base/SHA256SUMS" "$tmp/SHA256SUMS"
  pubkey=${STIGMER_PUBKEY:-$release_pubkey}
  if command -v minisign >/dev/null 2>&1 && [ -n "$pubkey" ]; then
    fetch "$base/SHA256SUMS.minisig" "$tmp/SHA256SUMS.minisig"
    minisign -V -q -P "$pubkey" -m "$tmp/SHA256SUMS" -x "$tmp/SHA256SUMS.minisig" >/dev/null 2>&1 ||
      die "the signature of $base/SHA256SUMS does not verify with the release key: do not install from this server"
    say "signature of SHA256SUMS verified"
  elif [ -n "${STIGMER_PUBKEY:-}" ]; then
    die "STIGMER_PUBKEY is set but minisign is not installed: install minisign or unset STIGMER_PUBKEY"
  elif [ -n "$pubkey" ]; then
    say "minisign is not installed: SHA256SUMS is trusted on HTTPS alone (install minisign to check its signature)"
  fi
  fetch "$base/$platform/stigmer.tar.gz" "$tmp/stigmer.tar.gz"
  expected=$(awk -v name="$platform/stigmer.tar.gz" '$2 == name { print $1 }' "$tmp/SHA256SUMS")
  [ -n "$expected" ] || die "$platform/stigmer.tar.gz is not listed in $base/SHA256SUMS"
  actual=$(sha256 "$tmp/stigmer.tar.gz")
  [ "$actual" = "$expected" ] || die "checksum mismatch for $base/$platform/stigmer.tar.gz (got $actual, SHA256SUMS says $expected)"

  mkdir -p "$tmp/x"
  tar -xzf "$tmp/stigmer.tar.gz" -C "$tmp/x" stigmer || die "cannot unpack stigmer.tar.gz"
  mkdir -p "$install_dir" || die "cannot create $install_dir"
  # Copy beside the target and rename over it: a running stigmer keeps its old file.
  cp "$tmp/x/stigmer" "$install_dir/.stigmer.new.$$" || die "cannot write to $install_dir"
  chmod 0755 "$install_dir/.stigmer.new.$$"
  mv -f "$install_dir/.stigmer.new.$$" "$install_dir/stigmer" || die "cannot install $install_dir/stigmer"
  say "installed $install_dir/stigmer ($version)"

  case ":${PATH:-}:" in
    *":$install_dir:"*) say "run: stigmer server start" ;;
    *)
      say "$install_dir is not on your PATH; to add it, run this and open a new shell:"
      # shellcheck disable=SC2016 # $PATH and $HOME are meant literally: the user's shell expands them
      case "${SHELL:-}" in
        */fish) printf '  fish_add_path %s\n' "$install_dir" >&2 ;;
        */zsh) printf '  echo '\''export PATH="%s:$PATH"'\'' >> "$HOME/.zshrc"\n' "$install_dir" >&2 ;;
        *) printf '  echo '\''export PATH="%s:$PATH"'\'' >> "$HOME/.bashrc"\n' "$install_dir" >&2 ;;
      esac
      ;;
  esac
}

main "$@"
