"""The oldest systems the release runs on (release/static-deps.lock): the CLI built for the glibc
floor by release/static-deps.sh, check-portable.sh refusing any binary above a floor, for ELF and
for Mach-O, and static-deps.sh refusing sources that do not match what the lock pins."""
from __future__ import annotations

import hashlib
import re
import shutil
import struct
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

from conftest import PLATFORM, RELEASE, VERSION, run

LOCK = (RELEASE / "static-deps.lock").read_text()
GLIBC_FLOOR = re.search(r"^glibc-floor (\S+)$", LOCK, re.M).group(1)
MACOS_FLOOR = re.search(r"^macos-floor (\S+)$", LOCK, re.M).group(1)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def floor_of(kind: str, path: Path) -> str:
    out = run([sys.executable, str(RELEASE / "binary_floor.py"), kind, str(path)])
    assert out.returncode == 0, out.stderr
    return out.stdout.split("\t")[1].strip()


def readelf_floor(path: Path) -> str:
    """The newest GLIBC_ version readelf lists among the file's version needs."""
    out = run(["readelf", "-V", "-W", str(path)])
    versions = set(re.findall(r"Name: GLIBC_([0-9.]+)", out.stdout))
    return max(versions, key=version_key)


def release_cli(tree: Path, tmp_path: Path) -> Path:
    with tarfile.open(tree / VERSION / PLATFORM / "stigmer.tar.gz") as archive:
        archive.extract("stigmer", tmp_path, filter="tar")
    return tmp_path / "stigmer"


def test_the_release_cli_asks_for_no_glibc_above_the_floor(tree: Path, tmp_path: Path) -> None:
    cli = release_cli(tree, tmp_path)
    floor = floor_of("glibc", cli)
    assert floor == readelf_floor(cli)
    assert version_key(floor) <= version_key(GLIBC_FLOOR)
    out = run(["bash", str(RELEASE / "check-portable.sh"), PLATFORM, str(cli)])
    assert out.returncode == 0, out.stderr
    assert f"GLIBC_{floor} at most ({PLATFORM}; floor {GLIBC_FLOOR})" in out.stderr
    assert run([str(cli), "--version"]).returncode == 0


def system_binary_above_the_floor() -> Path:
    """A program of this machine built against its newer glibc (Debian 12: 2.36)."""
    for name in ("minisign", "curl", "tar", "ls", "python3"):
        found = shutil.which(name)
        if found and version_key(floor_of("glibc", Path(found))) > version_key(GLIBC_FLOOR):
            return Path(found)
    raise AssertionError(f"no program on this machine asks for a glibc above {GLIBC_FLOOR}")


def test_a_binary_built_against_this_machines_glibc_is_refused(tmp_path: Path) -> None:
    program = system_binary_above_the_floor()
    assert floor_of("glibc", program) == readelf_floor(program)
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    shutil.copy(program, bundle / "_internal" / "libexample.so.1")
    (bundle / "README").write_text("not a binary")
    out = run(["bash", str(RELEASE / "check-portable.sh"), PLATFORM, str(bundle)])
    assert out.returncode != 0
    errors = [line for line in out.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, out.stderr
    assert f"1 file(s) need a glibc above the floor {GLIBC_FLOOR}" in errors[0]
    assert f"libexample.so.1 ({floor_of('glibc', program)})" in errors[0]
    # The same bundle against a floor at its own level passes.
    ok = run(["bash", str(RELEASE / "check-portable.sh"), PLATFORM, str(bundle)],
             env={"PATH": "/usr/bin:/bin", "STIGMER_GLIBC_FLOOR": floor_of("glibc", program)})
    assert ok.returncode == 0, ok.stderr


LIBCURL_FLOOR = re.search(r"^libcurl-floor (\S+)$", LOCK, re.M).group(1)


def linked_against_a_libcurl_with(tmp_path: Path, *functions: str) -> Path:
    """A program calling `functions` of a libcurl.so.4 without symbol versions (what Fedora and
    RHEL ship, and what release/static-deps.sh links the release CLI against)."""
    (tmp_path / "curl.c").write_text("".join(f"void {f}(void) {{}}\n" for f in functions))
    (tmp_path / "main.c").write_text("".join(f"void {f}(void);\n" for f in functions)
                                     + "int main(void) {" + "".join(f" {f}();" for f in functions) + " return 0; }\n")
    assert run(["cc", "-shared", "-fPIC", "-Wl,-soname,libcurl.so.4", "-o", str(tmp_path / "libcurl.so"),
                str(tmp_path / "curl.c")]).returncode == 0
    program = tmp_path / "stigmer"
    built = run(["cc", "-o", str(program), str(tmp_path / "main.c"), f"-L{tmp_path}", "-lcurl"])
    assert built.returncode == 0, built.stderr
    return program


def test_a_cli_calling_libcurl_functions_newer_than_the_floor_is_refused(tmp_path: Path) -> None:
    # curl_url_set is libcurl 7.62's; curl_easy_init is in every libcurl.
    program = linked_against_a_libcurl_with(tmp_path, "curl_easy_init", "curl_url", "curl_url_set")
    out = run(["bash", str(RELEASE / "check-portable.sh"), PLATFORM, str(program)])
    assert out.returncode != 0
    errors = [line for line in out.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, out.stderr
    assert f"calls curl_url curl_url_set of libcurl, which libcurl {LIBCURL_FLOOR}" in errors[0]
    assert "curl_easy_init" not in errors[0]


def test_the_release_cli_calls_only_functions_of_the_libcurl_floor(tree: Path, tmp_path: Path) -> None:
    cli = release_cli(tree, tmp_path)
    symbols = run(["readelf", "--dyn-syms", "-W", str(cli)]).stdout
    called = {line.split()[7].split("@")[0] for line in symbols.splitlines()
              if len(line.split()) > 7 and line.split()[6] == "UND" and line.split()[7].startswith("curl_")}
    listed = {line for line in (RELEASE / "libcurl-floor-functions.txt").read_text().splitlines()
              if line and not line.startswith("#")}
    assert "curl_easy_perform" in called and called <= listed, called - listed
    out = run(["bash", str(RELEASE / "check-portable.sh"), PLATFORM, str(cli)])
    assert f"(libcurl {LIBCURL_FLOOR} functions only)" in out.stderr, out.stderr


# A Mach-O file as the linker writes its header and load commands (nothing runs it here).
MH_MAGIC_64 = 0xFEEDFACF
CPU_ARM64 = 0x0100000C
CPU_X86_64 = 0x01000007


def _version(text: str) -> int:
    parts = [int(p) for p in text.split(".")] + [0, 0]
    return parts[0] << 16 | parts[1] << 8 | parts[2]


def macho(cpu: int, minos: str, legacy: bool = False) -> bytes:
    commands = [struct.pack("<IIII", 0x19, 16, 0, 0)]  # another load command first (LC_SEGMENT_64 stub)
    if legacy:
        commands.append(struct.pack("<IIII", 0x24, 16, _version(minos), _version("14.0")))
    else:
        commands.append(struct.pack("<IIIIII", 0x32, 24, 1, _version(minos), _version("15.0"), 0))
    body = b"".join(commands)
    header = struct.pack("<IiiIIIII", MH_MAGIC_64, cpu, 0, 2, len(commands), len(body), 0, 0)
    return header + body + b"\0" * 64


def universal(*slices: tuple[int, bytes]) -> bytes:
    header = struct.pack(">II", 0xCAFEBABE, len(slices))
    offset = 4096
    entries, blobs = b"", b""
    for cpu, blob in slices:
        entries += struct.pack(">iiIII", cpu, 0, offset + len(blobs), len(blob), 12)
        blobs += blob
    return (header + entries).ljust(offset, b"\0") + blobs


def check_darwin(folder: Path, **env: str) -> tuple[int, str]:
    out = run(["bash", str(RELEASE / "check-portable.sh"), "darwin-arm64", str(folder)],
              env={"PATH": "/usr/bin:/bin", **env})
    return out.returncode, out.stderr


def test_macos_binaries_above_the_macos_floor_are_refused(tmp_path: Path) -> None:
    assert version_key(MACOS_FLOOR) < (13, 0)
    bundle = tmp_path / "agent-runner"
    bundle.mkdir()
    (bundle / "agent-runner").write_bytes(macho(CPU_ARM64, MACOS_FLOOR))
    (bundle / "_legacy.so").write_bytes(macho(CPU_X86_64, "10.13", legacy=True))
    (bundle / "lib.dylib").write_bytes(universal((CPU_X86_64, macho(CPU_X86_64, "10.15")),
                                                (CPU_ARM64, macho(CPU_ARM64, "11.0"))))
    assert floor_of("macos", bundle / "_legacy.so") == "10.13"
    assert floor_of("macos", bundle / "lib.dylib") == "11.0"
    code, err = check_darwin(bundle)
    assert code == 0, err
    assert f"macOS {MACOS_FLOOR} at most (floor {MACOS_FLOOR})" in err

    # A wheel built for a newer macOS, in one slice of a universal file.
    (bundle / "new.so").write_bytes(universal((CPU_X86_64, macho(CPU_X86_64, "11.0")),
                                              (CPU_ARM64, macho(CPU_ARM64, "14.2"))))
    assert floor_of("macos", bundle / "new.so") == "14.2"
    code, err = check_darwin(bundle)
    assert code != 0
    assert f"1 file(s) need a macOS above the floor {MACOS_FLOOR}" in err and "new.so (14.2)" in err
    assert check_darwin(bundle, STIGMER_MACOS_FLOOR="15.0")[0] == 0


def fake_release_dir(tmp_path: Path, pool: Path, dsc_name: str, dsc_sha: str) -> Path:
    """release/ scripts beside a lock whose only source is the fake package served from pool."""
    release = tmp_path / "release"
    release.mkdir()
    for name in ("lib.sh", "static-deps.sh"):
        shutil.copy(RELEASE / name, release / name)
    lines = [line for line in LOCK.splitlines() if not line.startswith("source ")]
    version = dsc_name.removeprefix("fakelib_").removesuffix(".dsc")
    lines.append(f"source fakelib {version} pool/main/f/fakelib {dsc_sha} linux,darwin")
    (release / "static-deps.lock").write_text("\n".join(lines) + "\n")
    return release


def fake_package(pool: Path, tamper: bool) -> tuple[str, str]:
    """A Debian source package (.dsc, .orig and .debian tarballs); tamper changes the .orig
    after the .dsc recorded its sha256. Returns the .dsc's name and sha256."""
    where = pool / "pool" / "main" / "f" / "fakelib"
    where.mkdir(parents=True)
    files = {"fakelib_1.0.orig.tar.gz": b"upstream source", "fakelib_1.0-1.debian.tar.xz": b"debian dir"}
    for name, data in files.items():
        (where / name).write_bytes(data)
    sums = "".join(f" {hashlib.sha256(d).hexdigest()} {len(d)} {n}\n" for n, d in files.items())
    dsc = f"Format: 3.0 (quilt)\nSource: fakelib\nVersion: 1.0-1\nChecksums-Sha256:\n{sums}"
    (where / "fakelib_1.0-1.dsc").write_text(dsc)
    if tamper:
        (where / "fakelib_1.0.orig.tar.gz").write_bytes(b"upstream source, changed")
    return "fakelib_1.0-1.dsc", hashlib.sha256(dsc.encode()).hexdigest()


def static_deps(release: Path, mirror: str, cache: Path) -> tuple[int, list[str]]:
    out = run(["bash", str(release / "static-deps.sh"), "linux-amd64"],
              env={"PATH": "/usr/bin:/bin", "HOME": str(cache), "DEBIAN_MIRROR": mirror,
                   "STIGMER_STATIC_DEPS_CACHE": str(cache)})
    return out.returncode, [line for line in out.stderr.splitlines() if "error:" in line]


def test_static_deps_refuses_a_dsc_the_lock_does_not_pin(tmp_path: Path, serve: Callable[[Path], str]) -> None:
    pool = tmp_path / "mirror"
    dsc, _ = fake_package(pool, tamper=False)
    release = fake_release_dir(tmp_path, pool, dsc, "0" * 64)
    code, errors = static_deps(release, serve(pool), tmp_path / "cache")
    assert code != 0 and len(errors) == 1
    assert f"{dsc} does not match the sha256 in" in errors[0] and "static-deps.lock" in errors[0]
    assert not any((tmp_path / "cache").glob("*/.complete"))


def test_static_deps_refuses_a_source_file_the_dsc_does_not_pin(tmp_path: Path,
                                                                serve: Callable[[Path], str]) -> None:
    pool = tmp_path / "mirror"
    dsc, dsc_sha = fake_package(pool, tamper=True)
    release = fake_release_dir(tmp_path, pool, dsc, dsc_sha)
    code, errors = static_deps(release, serve(pool), tmp_path / "cache")
    assert code != 0 and len(errors) == 1
    assert f"fakelib_1.0.orig.tar.gz does not match the sha256 in {dsc}" in errors[0]
    assert not any((tmp_path / "cache").glob("*/.complete"))


def test_static_deps_names_a_package_debian_no_longer_serves(tmp_path: Path,
                                                             serve: Callable[[Path], str]) -> None:
    pool = tmp_path / "mirror"
    dsc, dsc_sha = fake_package(pool, tamper=False)
    (pool / "pool" / "main" / "f" / "fakelib" / dsc).unlink()
    release = fake_release_dir(tmp_path, pool, dsc, dsc_sha)
    code, errors = static_deps(release, serve(pool), tmp_path / "cache")
    assert code != 0 and len(errors) == 1
    assert "if Debian has replaced it, update 'fakelib' in" in errors[0]


def test_a_cli_bound_to_debians_libcurl_symbol_versions_is_refused(tmp_path: Path) -> None:
    # Linked by the build machine's gcc against Debian's libcurl, whose symbols are tagged
    # CURL_OPENSSL_4: on Fedora or RHEL, whose libcurl tags none, ld.so would warn at every start.
    source = tmp_path / "client.c"
    source.write_text("#include <curl/curl.h>\nint main(void) { return curl_global_init(0) != 0; }\n")
    program = tmp_path / "client"
    built = run(["gcc", "-o", str(program), str(source), "-lcurl"])
    assert built.returncode == 0, built.stderr
    out = run(["bash", str(RELEASE / "check-portable.sh"), PLATFORM, str(program)])
    assert out.returncode != 0
    assert "asks libcurl.so.4 for symbol version(s) CURL_OPENSSL_4" in out.stderr


def test_the_release_cli_asks_libcurl_for_no_symbol_version(tree: Path, tmp_path: Path) -> None:
    versions = run(["readelf", "-V", "-W", str(release_cli(tree, tmp_path))]).stdout
    assert "File: libcurl.so.4" not in versions
    assert "File: libc.so.6" in versions  # readelf did list the version needs
