"""list-cli-libraries.py's reading of a CLI build: what was linked (CMake's list and cache) and
which package, at which version, provided each file (dpkg, Homebrew's Cellar, vcpkg's records)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RELEASE

sys.path.insert(0, str(RELEASE))
from stigrel.cli_libraries import (BuildError, cli_libraries, dpkg_owner, git_checkout_owner,  # noqa: E402
                                   homebrew_owner, vcpkg_ports)
from stigrel.library_licenses import UnknownLibrary, library_license  # noqa: E402


def build_dir(tmp_path: Path, linked: list[str] | None) -> Path:
    d = tmp_path / "build"
    d.mkdir()
    (d / "CMakeCache.txt").write_text(
        "nlohmann_json_DIR:PATH=/usr/share/cmake/nlohmann_json\nCLI11_DIR:PATH=/usr/share/cmake/CLI11\n"
        "STIGMER_TOMLPLUSPLUS_INCLUDE_DIR:PATH=/usr/include\n"
        f"STIGMER_ADA_SOURCE_DIR:INTERNAL={tmp_path}/ada\nSTIGMER_ADA_SOURCE_VERSION:INTERNAL=4.0.0\n")
    if linked is not None:
        (d / "linked-static-libraries.txt").write_text("".join(f"{p}\n" for p in linked))
    return d


def fake_owner(path: Path) -> tuple[str, str, str, str | None]:
    package = {"libarchive.a": "libarchive-dev", "libz.a": "zlib1g-dev", "nlohmann_jsonConfig.cmake": "nlohmann-json3-dev",
               "CLI11Config.cmake": "libcli11-dev", "toml.h": "libtomlplusplus-dev", "libfoo.a": "libfoo-dev"}[path.name]
    return package, "1.0-1", f"pkg:deb/debian/{package}@1.0-1", None


def test_every_linked_archive_and_header_only_library_is_listed_once(tmp_path: Path) -> None:
    d = build_dir(tmp_path, ["/usr/lib/libarchive.a", "/usr/lib/libz.a", "/usr/lib/libz.a"])
    got = cli_libraries(d, "linux-amd64", fake_owner)
    assert sorted((c.name, c.license) for c in got) == [
        ("CLI11", "BSD-3-Clause"), ("ada (URL parser)", "MIT"), ("libarchive", "BSD-2-Clause"),
        ("nlohmann/json", "MIT"), ("toml++", "MIT"), ("zlib", "Zlib")]
    ada = next(c for c in got if c.name == "ada (URL parser)")
    assert (ada.version, ada.purl) == ("4.0.0", "pkg:pypi/ada-url@4.0.0")


def test_a_build_without_the_pinned_url_parser_is_refused(tmp_path: Path) -> None:
    d = build_dir(tmp_path, ["/usr/lib/libz.a"])
    cache = d / "CMakeCache.txt"
    cache.write_text("".join(line for line in cache.read_text().splitlines(keepends=True) if "ADA" not in line))
    with pytest.raises(BuildError, match="STIGMER_ADA_SOURCE_DIR"):
        cli_libraries(d, "linux-amd64", fake_owner)


def test_a_library_without_a_recorded_license_stops_the_build(tmp_path: Path) -> None:
    with pytest.raises(UnknownLibrary, match="libfoo-dev"):
        cli_libraries(build_dir(tmp_path, ["/usr/lib/libfoo.a"]), "linux-amd64", fake_owner)


def test_a_build_without_the_linked_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="linked-static-libraries.txt"):
        cli_libraries(build_dir(tmp_path, None), "linux-amd64", fake_owner)


def test_dpkg_owner_reads_multiarch_answers_and_the_version() -> None:
    def query(cmd: list[str]) -> str:
        if cmd[1] == "-S":
            return "libtomlplusplus-dev:amd64, libtomlplusplus-dev:arm64: /usr/include/toml++/toml.h\n"
        assert cmd[-1] == "libtomlplusplus-dev:amd64"
        return "3.3.0+ds-1"
    name, version, purl, _ = dpkg_owner(Path("/usr/include/toml++/toml.h"), query)
    assert (name, version) == ("libtomlplusplus-dev", "3.3.0+ds-1")
    assert purl.endswith("/libtomlplusplus-dev@3.3.0%2Bds-1?arch=amd64")


def test_dpkg_owner_refuses_a_file_no_package_owns() -> None:
    with pytest.raises(BuildError, match="no Debian package"):
        dpkg_owner(Path("/opt/built-by-hand/libx.a"), lambda cmd: "")


def test_homebrew_owner_follows_the_prefix_link_into_the_cellar(tmp_path: Path) -> None:
    real = tmp_path / "Cellar" / "libsodium" / "1.0.20" / "lib" / "libsodium.a"
    real.parent.mkdir(parents=True)
    real.write_bytes(b"")
    link = tmp_path / "lib" / "libsodium.a"
    link.parent.mkdir()
    link.symlink_to(real)
    (real.parents[1] / "LICENSE").write_text("ISC\n")
    assert homebrew_owner(link) == ("libsodium", "1.0.20", "pkg:generic/homebrew/libsodium@1.0.20",
                                    str(real.parents[1] / "LICENSE"))
    with pytest.raises(BuildError, match="Cellar"):
        homebrew_owner(tmp_path)


def test_vcpkg_ports_of_the_triplet_without_build_tools(tmp_path: Path) -> None:
    info = tmp_path / "vcpkg" / "info"
    info.mkdir(parents=True)
    for name in ("curl_8.11.1_x64-windows-static", "gtest_1.15.2_x64-windows-static",
                 "vcpkg-cmake_2024-04-23_x64-windows", "zlib_1.3.1_x64-windows-static", "zlib_1.3.1_x64-windows"):
        (info / f"{name}.list").write_text("")
    (tmp_path / "x64-windows-static" / "share" / "zlib").mkdir(parents=True)
    (tmp_path / "x64-windows-static" / "share" / "zlib" / "copyright").write_text("zlib license\n")
    ports = vcpkg_ports(tmp_path, "x64-windows-static")
    assert [p[:2] for p in ports] == [("curl", "8.11.1"), ("zlib", "1.3.1")]
    assert ports[0][3] is None and ports[1][3] == str(tmp_path / "x64-windows-static" / "share" / "zlib" / "copyright")


def test_package_spellings_of_one_library_agree() -> None:
    assert library_license("libarchive-dev:arm64") == library_license("libarchive")
    assert library_license("nettle-dev")[1] == "LGPL-3.0-or-later OR GPL-2.0-or-later"
    assert library_license("libstdc++-13-dev")[0] == "libstdc++ (GCC)"
    assert library_license("libgcc-12-dev-arm64-cross") == library_license("libgcc-12-dev")


def test_a_header_library_from_a_git_clone_at_a_tag(tmp_path: Path) -> None:
    """cli-deps.sh clones toml++ at a tag where the distribution has no package (Ubuntu 22.04)."""
    repo = tmp_path / "tomlplusplus"
    (repo / "include" / "toml++").mkdir(parents=True)
    (repo / "include" / "toml++" / "toml.h").write_text("// toml\n")
    (repo / "LICENSE").write_text("MIT\n")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "x"], ["tag", "v3.3.0"],
                 ["remote", "add", "origin", "https://github.com/marzer/tomlplusplus.git"]):
        subprocess.run(git + args, check=True, capture_output=True)
    header = repo / "include" / "toml++" / "toml.h"
    assert git_checkout_owner(header) == ("tomlplusplus", "3.3.0", "pkg:github/marzer/tomlplusplus@v3.3.0",
                                          str(repo / "LICENSE"))
    subprocess.run(git + ["commit", "-q", "--allow-empty", "-m", "y"], check=True, capture_output=True)
    with pytest.raises(BuildError, match="not at a tag"):
        git_checkout_owner(header)
    with pytest.raises(BuildError, match="not in a git checkout"):
        git_checkout_owner(tmp_path / "elsewhere.h")


def static_deps_build(tmp_path: Path) -> tuple[Path, Path]:
    """A build configured by static-deps.sh's arguments: zig wrappers and libraries in its prefix."""
    prefix = tmp_path / "static-deps" / "linux-amd64-0123456789abcdef"
    zig = tmp_path / "zig" / "ziglang" / "zig"
    (zig.parent / "lib" / "libcxx").mkdir(parents=True)
    (zig.parent / "lib" / "libcxx" / "LICENSE.TXT").write_text("Apache License v2.0 with LLVM Exceptions\n")
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "c++").write_text(f'#!/bin/sh\nexec "{zig}" c++ -target x86_64-linux-gnu.2.28 "$@"\n')
    for name in ("zlib", "libarchive"):
        (prefix / "share" / "doc" / name).mkdir(parents=True)
        (prefix / "share" / "doc" / name / "copyright").write_text(f"{name} copyright\n")
    lock = (RELEASE / "static-deps.lock").read_text()
    (prefix / "static-deps.lock").write_text(lock)
    d = tmp_path / "build"
    d.mkdir()
    (d / "CMakeCache.txt").write_text(
        f"CMAKE_CXX_COMPILER:FILEPATH={prefix}/bin/c++\nCMAKE_PREFIX_PATH:UNINITIALIZED={prefix}\n"
        f"nlohmann_json_DIR:PATH={prefix}/share/cmake/nlohmann_json\nCLI11_DIR:PATH={prefix}/share/cmake/CLI11\n"
        f"STIGMER_TOMLPLUSPLUS_INCLUDE_DIR:PATH={prefix}/include\n"
        f"STIGMER_ADA_SOURCE_DIR:INTERNAL={d}/_deps/ada-4.0.0\nSTIGMER_ADA_SOURCE_VERSION:INTERNAL=4.0.0\n")
    (d / "_deps" / "ada-4.0.0").mkdir(parents=True)
    (d / "_deps" / "ada-4.0.0" / "LICENSE").write_text("MIT License\n")
    (d / "linked-static-libraries.txt").write_text(f"{prefix}/lib/libarchive.a\n{prefix}/lib/libz.a\n")
    return d, prefix


def test_a_release_build_names_the_debian_sources_and_zigs_runtime(tmp_path: Path) -> None:
    d, prefix = static_deps_build(tmp_path)
    asked: list[Path] = []

    def machine_owner(path: Path) -> tuple[str, str, str, str | None]:
        asked.append(path)
        return fake_owner(path)

    lock = (RELEASE / "static-deps.lock").read_text()
    components = {c.name: c for c in cli_libraries(d, "linux-amd64", machine_owner)}
    libarchive_version = next(line.split()[2] for line in lock.splitlines() if line.startswith("source libarchive "))
    assert components["libarchive"].version == libarchive_version
    assert components["libarchive"].purl.startswith("pkg:deb/debian/libarchive@") and "arch=source" in components["libarchive"].purl
    assert components["libarchive"].license_file == str(prefix / "share" / "doc" / "libarchive" / "copyright")
    assert components["zlib"].version.startswith("1:1.3")
    runtime = components["libc++, libc++abi and libunwind (LLVM, from zig)"]
    assert runtime.license == "Apache-2.0 WITH LLVM-exception" and runtime.purl == "pkg:pypi/ziglang@0.15.2"
    assert components["ada (URL parser)"].license_file == str(d / "_deps" / "ada-4.0.0" / "LICENSE")
    # The header-only copies are the build machine's packages, asked by their own path.
    assert sorted(str(p) for p in asked) == ["/usr/include/toml++/toml.h", "/usr/share/cmake/CLI11/CLI11Config.cmake",
                                              "/usr/share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake"]


def test_a_prefix_archive_the_lock_does_not_name_stops_the_build(tmp_path: Path) -> None:
    d, prefix = static_deps_build(tmp_path)
    (d / "linked-static-libraries.txt").write_text(f"{prefix}/lib/libfoo.a\n")
    with pytest.raises(BuildError, match="static-deps.lock names no source package 'libfoo'"):
        cli_libraries(d, "linux-amd64", fake_owner)
