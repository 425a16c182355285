"""The third-party C/C++ libraries inside a built CLI, read from its CMake build directory, each
named with the version of the package that provided it (dpkg on Linux, Homebrew on macOS, vcpkg
on Windows, or the Debian source package release/static-deps.sh built it from for a release) and
the license recorded in library_licenses.py."""
from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from .components import Component
from .library_licenses import library_license

LINKED_LIST = "linked-static-libraries.txt"  # written by cli/cmake/Dependencies.cmake (portable builds)
# Header-only libraries compiled into the CLI: the CMake cache entry locating each, and a file
# under it that their package installs (Homebrew links files, not directories, into its prefix).
HEADER_ONLY = {
    "nlohmann_json_DIR": "nlohmann_jsonConfig.cmake",
    "CLI11_DIR": "CLI11Config.cmake",
    "STIGMER_TOMLPLUSPLUS_INCLUDE_DIR": "toml++/toml.h",
}
# vcpkg ports installed for the build but not linked into stigmer.exe.
VCPKG_NOT_LINKED = re.compile(r"(gtest|pkgconf|vcpkg-.*)")


class BuildError(ValueError):
    """The build directory does not say what the CLI was built from."""


Owner = tuple[str, str, str, str | None]  # package, version, purl, its license text's file


def cmake_cache(build_dir: Path) -> dict[str, str]:
    path = build_dir / "CMakeCache.txt"
    if not path.is_file():
        raise BuildError(f"{path}: missing (configure the CLI first)")
    out = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = re.match(r"^([A-Za-z0-9_+.-]+):[A-Z]+=(.*)$", line)
        if match:
            out[match.group(1)] = match.group(2)
    return out


def _query(cmd: list[str]) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout


def dpkg_owner(path: Path, query: Callable[[list[str]], str] = _query) -> Owner:
    for candidate in dict.fromkeys([str(path), os.path.realpath(path)]):
        found = query(["dpkg-query", "-S", candidate])
        lines = [line for line in found.splitlines() if line.strip() and not line.startswith("diversion")]
        if lines:  # "pkg:arch[, other:arch]: path"
            package = lines[0].rsplit(": ", 1)[0].split(", ")[0]
            break
    else:
        raise BuildError(f"{path}: no Debian package owns it")
    version = query(["dpkg-query", "-W", "-f=${Version}", package]).strip()
    if not version:
        raise BuildError(f"{package}: dpkg-query reports no version")
    name, _, arch = package.partition(":")
    distro = os_release_id()
    purl = f"pkg:deb/{distro}/{name}@{quote(version, safe='')}" + (f"?arch={arch}" if arch else "")
    copyright_file = Path("/usr/share/doc") / name / "copyright"  # Debian policy 12.5: every package has it
    return name, version, purl, str(copyright_file) if copyright_file.is_file() else None


def os_release_id(path: Path = Path("/etc/os-release")) -> str:
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        if line.startswith("ID="):
            return line[3:].strip().strip('"')
    return "debian"


def homebrew_owner(path: Path) -> Owner:
    real = Path(os.path.realpath(path)).as_posix()
    match = re.search(r"/Cellar/([^/]+)/([^/]+)/", real)
    if not match:
        raise BuildError(f"{path}: not inside a Homebrew Cellar ({real})")
    formula, version = match.groups()
    keg = Path(real[: match.end()])
    texts = sorted(p for pattern in ("LICENSE*", "LICENCE*", "COPYING*", "COPYRIGHT*") for p in keg.glob(pattern)
                   if p.is_file())
    return formula, version, f"pkg:generic/homebrew/{formula}@{quote(version, safe='')}", str(texts[0]) if texts else None


def git_checkout_owner(path: Path) -> Owner:
    """A library used from a git clone at a tag (cli-deps.sh clones toml++ where the distribution
    has no package): the clone's folder name, its tag, and its LICENSE."""
    repo = next((d for d in [path, *path.parents] if (d / ".git").exists()), None)
    if repo is None:
        raise BuildError(f"{path}: no package owns it and it is not in a git checkout")
    tag = _query(["git", "-C", str(repo), "describe", "--tags", "--exact-match"]).strip()
    if not tag:
        raise BuildError(f"{repo}: a git checkout not at a tag: its version is unknown")
    remote = _query(["git", "-C", str(repo), "remote", "get-url", "origin"]).strip()
    match = re.search(r"github\.com[/:]([^/]+)/([^/]+?)(\.git)?$", remote)
    purl = f"pkg:github/{match.group(1)}/{match.group(2)}@{quote(tag, safe='')}" if match else \
        f"pkg:generic/{repo.name}@{quote(tag, safe='')}"
    license_file = repo / "LICENSE"
    return repo.name, tag.removeprefix("v"), purl, str(license_file) if license_file.is_file() else None


def vcpkg_ports(installed_dir: Path, triplet: str) -> list[Owner]:
    """Every port installed for the triplet, from vcpkg's own records (info/{port}_{version}_{triplet}.list)."""
    info = installed_dir / "vcpkg" / "info"
    if not info.is_dir():
        raise BuildError(f"{info}: not a vcpkg installed tree")
    out = []
    for path in sorted(info.glob(f"*_{triplet}.list")):
        port, _, version = path.name[: -len(f"_{triplet}.list")].partition("_")
        if not VCPKG_NOT_LINKED.fullmatch(port):
            copyright_file = installed_dir / triplet / "share" / port / "copyright"  # vcpkg requires it of every port
            out.append((port, version, f"pkg:generic/vcpkg/{port}@{quote(version, safe='')}",
                        str(copyright_file) if copyright_file.is_file() else None))
    return out


def static_deps_prefix(cache: dict[str, str]) -> Path | None:
    """The prefix release/static-deps.sh built the release's libraries into, if this build used
    one: it holds a copy of the lock it was built from."""
    compiler = cache.get("CMAKE_CXX_COMPILER", "")
    candidates = [Path(compiler).parent.parent] if compiler else []
    candidates += [Path(p) for p in cache.get("CMAKE_PREFIX_PATH", "").split(";") if p]
    return next((c for c in candidates if (c / "static-deps.lock").is_file()), None)


def static_deps_owner(prefix: Path, fallback: Callable[[Path], Owner]) -> Callable[[Path], Owner]:
    """Archives under the prefix come from the lock's Debian source packages; the header-only
    libraries static-deps.sh copied there, from the build machine's package of the same path."""
    sources = {}
    for line in (prefix / "static-deps.lock").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[0] == "source":
            sources[fields[1]] = fields[2]

    def owner(path: Path) -> Owner:
        try:
            relative = path.relative_to(prefix)
        except ValueError:
            return fallback(path)
        if relative.parts[0] != "lib":
            return fallback(Path("/usr") / relative)
        name = {"libz.a": "zlib"}.get(path.name, path.name.removesuffix(".a"))
        if name not in sources:
            raise BuildError(f"{path}: static-deps.lock names no source package '{name}'")
        version = sources[name]
        copyright_file = prefix / "share" / "doc" / name / "copyright"
        return (name, version, f"pkg:deb/debian/{name}@{quote(version, safe='')}?arch=source",
                str(copyright_file) if copyright_file.is_file() else None)

    return owner


def zig_runtime(prefix: Path) -> Owner | None:
    """zig links LLVM's libc++, libc++abi and libunwind into the executable it builds."""
    wrapper = prefix / "bin" / "c++"
    match = re.search(r'exec "([^"]+)"', wrapper.read_text(encoding="utf-8")) if wrapper.is_file() else None
    if not match:
        return None
    zig = Path(match.group(1))
    lock = (prefix / "static-deps.lock").read_text(encoding="utf-8")
    version = re.search(r"^zig (\S+)", lock, re.M)
    license_file = zig.parent / "lib" / "libcxx" / "LICENSE.TXT"
    return ("llvm-libc++", version.group(1) if version else "unknown",
            f"pkg:pypi/ziglang@{version.group(1) if version else 'unknown'}",
            str(license_file) if license_file.is_file() else None)


def header_only_paths(cache: dict[str, str]) -> list[Path]:
    out = []
    for key, file in HEADER_ONLY.items():
        value = cache.get(key, "")
        if not value or value.endswith("-NOTFOUND"):
            raise BuildError(f"CMakeCache.txt has no {key}")
        out.append(Path(value) / file)
    return out


def pinned_sources(cache: dict[str, str]) -> list[tuple[Owner, str]]:
    """Sources every build downloads at a pinned version and compiles in (cli/cmake/Ada.cmake)."""
    folder, version = cache.get("STIGMER_ADA_SOURCE_DIR", ""), cache.get("STIGMER_ADA_SOURCE_VERSION", "")
    if not folder or not version:
        raise BuildError("CMakeCache.txt has no STIGMER_ADA_SOURCE_DIR and STIGMER_ADA_SOURCE_VERSION (cli/cmake/Ada.cmake)")
    license_file = Path(folder) / "LICENSE"
    owner = ("ada-url", version, f"pkg:pypi/ada-url@{quote(version, safe='')}",
             str(license_file) if license_file.is_file() else None)
    return [(owner, "compiled in (cli/cmake/Ada.cmake)")]


def cli_libraries(build_dir: Path, platform: str, owner: Callable[[Path], Owner] | None = None) -> list[Component]:
    cache = cmake_cache(build_dir)
    owners: list[tuple[Owner, str]] = []
    if platform.startswith("windows-"):
        triplet = cache.get("VCPKG_TARGET_TRIPLET", "")
        installed = cache.get("_VCPKG_INSTALLED_DIR", "")
        if not triplet or not installed:
            raise BuildError("CMakeCache.txt names no vcpkg triplet and installed directory")
        owners = [(o, f"vcpkg {o[0]}:{triplet}") for o in vcpkg_ports(Path(installed), triplet)]
    else:
        package_owner = owner or (homebrew_owner if platform.startswith("darwin-") else dpkg_owner)
        prefix = static_deps_prefix(cache)
        if prefix is not None:
            package_owner = static_deps_owner(prefix, package_owner)

        def resolve(path: Path) -> Owner:
            try:
                return package_owner(path)
            except BuildError:
                if prefix is not None and path.is_relative_to(prefix / "lib"):
                    raise  # built by static-deps.sh: only its lock can name it
                return git_checkout_owner(path)

        linked = build_dir / LINKED_LIST
        if not linked.is_file():
            raise BuildError(f"{linked}: missing (configure with -DSTIGMER_PORTABLE=ON, as releases are)")
        paths = [Path(line) for line in linked.read_text(encoding="utf-8").splitlines() if line.strip()]
        source = "Homebrew" if platform.startswith("darwin-") else "dpkg"
        owners = [(resolve(p), f"{source} {p.name}") for p in paths + header_only_paths(cache)]
        runtime = zig_runtime(prefix) if prefix is not None else None
        if runtime is not None:
            owners.append((runtime, "zig (linked into the executable)"))
    owners += pinned_sources(cache)
    seen: dict[str, Component] = {}
    for (package, version, purl, license_file), origin in owners:
        library, spdx = library_license(package)
        seen.setdefault(package, Component(library, version, spdx, purl, origin, license_file=license_file))
    return list(seen.values())
