"""release/install.sh (POSIX sh, run by dash here) against the local release server."""
from __future__ import annotations

import os
import re
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import DEV_PUB, PLATFORM, RELEASE, VERSION, run


def install(base: str, home: Path, *args: str, **env: str) -> "object":
    environ = {"PATH": "/usr/bin:/bin", "HOME": str(home), "STIGMER_RELEASES_URL": base, **env}
    return run(["dash", str(RELEASE / "install.sh"), *args], env=environ)


def refusal(out: "object") -> str:
    """The one error line of an install that failed."""
    errors = [line for line in out.stderr.splitlines() if "error:" in line]
    assert out.returncode != 0 and len(errors) == 1, out.stderr
    return errors[0]


def archived_stigmer(tree: Path, tmp: Path) -> bytes:
    with tarfile.open(tree / VERSION / PLATFORM / "stigmer.tar.gz") as tar:
        member = tar.extractfile("stigmer")
        assert member is not None
        return member.read()


def test_install_from_the_channel(tree: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    out = install(serve(tree), tmp_path, STIGMER_CHANNEL="dev")
    assert out.returncode == 0, out.stderr
    installed = tmp_path / ".local" / "bin" / "stigmer"
    assert installed.read_bytes() == archived_stigmer(tree, tmp_path)
    assert os.access(installed, os.X_OK)
    assert VERSION in run([str(installed), "--version"]).stdout
    # ~/.local/bin is not on this PATH: the user is told how to add it.
    assert "not on your PATH" in out.stderr and f'export PATH="{tmp_path}/.local/bin:$PATH"' in out.stderr


def test_install_a_version_into_a_directory(tree: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    target = tmp_path / "tools"
    out = install(serve(tree), tmp_path, "--version", VERSION, "--dir", str(target))
    assert out.returncode == 0, out.stderr
    assert (target / "stigmer").read_bytes() == archived_stigmer(tree, tmp_path)
    # Installing again replaces the file in place.
    assert install(serve(tree), tmp_path, "--version", VERSION, "--dir", str(target)).returncode == 0


def test_signature_checked_when_a_key_is_given(tree: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    pub = DEV_PUB.read_text().splitlines()[1]
    env = {"STIGMER_PUBKEY": pub, "STIGMER_VERSION": VERSION}
    environ_path = "/usr/bin:/bin"
    assert shutil.which("minisign", path=environ_path)
    assert install(serve(tree), tmp_path, **env).returncode == 0
    other = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3"
    bad = install(serve(tree), tmp_path, STIGMER_PUBKEY=other, STIGMER_VERSION=VERSION)
    assert bad.returncode != 0 and "does not verify" in bad.stderr


def test_checksum_mismatch_installs_nothing(tree: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    copy = tmp_path / "tree"
    shutil.copytree(tree, copy)
    archive = copy / VERSION / PLATFORM / "stigmer.tar.gz"
    archive.write_bytes(archive.read_bytes() + b"tampered")
    out = install(serve(copy), tmp_path, "--version", VERSION)
    assert out.returncode != 0
    assert out.stderr.strip().splitlines()[-1].startswith("stigmer install: error: checksum mismatch")
    assert not (tmp_path / ".local" / "bin" / "stigmer").exists()


@pytest.mark.parametrize("args,message", [
    (["--version", "0.0.0-missing"], "download failed"),
    (["--channel", "nightly"], "download failed"),
    (["--version", "bad/version"], "invalid version"),
    (["--bogus"], "unknown option"),
])
def test_clear_one_line_errors(tree: Path, serve: Callable[[Path], str], tmp_path: Path,
                               args: list[str], message: str) -> None:
    out = install(serve(tree), tmp_path, *args)
    assert message in refusal(out), out.stderr


def test_help_works_when_piped(tmp_path: Path) -> None:
    script = (RELEASE / "install.sh").read_text()
    out = run(["dash", "-s", "--", "--help"], input=script, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert "--uninstall" in out.stdout and "--version V" in out.stdout
    assert not (tmp_path / ".local").exists()


@pytest.mark.parametrize("keep", ["all but the last line", "half"])
def test_a_truncated_download_runs_nothing(tree: Path, serve: Callable[[Path], str], tmp_path: Path,
                                           keep: str) -> None:
    script = (RELEASE / "install.sh").read_text()
    assert script.endswith('\nmain "$@"\n')
    cut = script[:-len('main "$@"\n')] if keep == "all but the last line" else script[:len(script) // 2]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "STIGMER_RELEASES_URL": serve(tree),
           "STIGMER_CHANNEL": "dev"}
    out = run(["dash", "-s"], input=cut, env=env)
    assert "installing stigmer" not in out.stderr
    assert not (tmp_path / ".local" / "bin" / "stigmer").exists()


def fake_tool(bindir: Path, name: str, script: str) -> None:
    bindir.mkdir(exist_ok=True)
    (bindir / name).write_text("#!/bin/sh\n" + script)
    (bindir / name).chmod(0o755)


def test_refuses_a_glibc_older_than_the_floor(tree: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    fake = tmp_path / "fake"
    fake_tool(fake, "getconf", 'echo "glibc 2.27"\n')
    out = install(serve(tree), tmp_path, PATH=f"{fake}:/usr/bin:/bin", STIGMER_CHANNEL="dev")
    error = refusal(out)
    assert "glibc 2.27" in error and "glibc 2.28 or newer" in error
    assert not (tmp_path / ".local" / "bin" / "stigmer").exists()
    # The floor is the script's glibc_floor: lowered below 2.27, the same system passes.
    lowered = tmp_path / "install-2.26.sh"
    text = (RELEASE / "install.sh").read_text()
    assert "\nglibc_floor=2.28\n" in text
    lowered.write_text(text.replace("\nglibc_floor=2.28\n", "\nglibc_floor=2.26\n"))
    env = {"PATH": f"{fake}:/usr/bin:/bin", "HOME": str(tmp_path), "STIGMER_RELEASES_URL": serve(tree),
           "STIGMER_CHANNEL": "dev"}
    passed = run(["dash", str(lowered)], env=env)
    assert passed.returncode == 0, passed.stderr


def test_the_installer_floor_is_the_one_the_binaries_are_checked_against() -> None:
    lock = (RELEASE / "static-deps.lock").read_text()
    floor = re.search(r"^glibc-floor (\S+)$", lock, re.M).group(1)
    assert re.search(r"^glibc_floor=(\S+)$", (RELEASE / "install.sh").read_text(), re.M).group(1) == floor


def test_refuses_a_system_without_libcurl(tree: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    fake = tmp_path / "fake"
    fake_tool(fake, "ldconfig", 'echo "2 libs found in cache"; echo "\tlibc.so.6 (libc6,x86-64) => /lib/libc.so.6"\n')
    out = install(serve(tree), tmp_path, PATH=f"{fake}:/usr/bin:/bin", STIGMER_CHANNEL="dev")
    error = refusal(out)
    assert "no libcurl.so.4" in error and "dnf install libcurl" in error
    assert not (tmp_path / ".local" / "bin" / "stigmer").exists()
    # A cache that lists it passes.
    fake_tool(fake, "ldconfig", 'echo "\tlibcurl.so.4 (libc6,x86-64) => /lib64/libcurl.so.4"\n')
    passed = install(serve(tree), tmp_path, PATH=f"{fake}:/usr/bin:/bin", STIGMER_CHANNEL="dev")
    assert passed.returncode == 0, passed.stderr


def test_rhel_8s_libcurl_is_enough(tree: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    # curl and libcurl 7.61.1, as RHEL 8 has them: the CLI calls only what 7.61 has
    # (check-portable.sh, release/libcurl-floor-functions.txt). The real curl still downloads.
    fake = tmp_path / "fake"
    real_curl = shutil.which("curl")
    fake_tool(fake, "curl", 'if [ "$1" = --version ]; then\n'
              '  echo "curl 7.61.1 (x86_64-redhat-linux-gnu) libcurl/7.61.1 OpenSSL/1.1.1k zlib/1.2.11"; exit 0\nfi\n'
              f'exec {real_curl} "$@"\n')
    out = install(serve(tree), tmp_path, PATH=f"{fake}:/usr/bin:/bin", STIGMER_CHANNEL="dev")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / ".local" / "bin" / "stigmer").exists()


def test_refuses_musl(tree: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    # What Alpine has: no GNU_LIBC_VERSION, and musl's ldd.
    fake = tmp_path / "fake"
    fake_tool(fake, "getconf", "exit 1\n")
    fake_tool(fake, "ldd", 'echo "musl libc (x86_64)" >&2; echo "Version 1.2.4" >&2; exit 1\n')
    out = install(serve(tree), tmp_path, PATH=f"{fake}:/usr/bin:/bin", STIGMER_CHANNEL="dev")
    error = refusal(out)
    assert "musl" in error and "glibc 2.28" in error
    assert not (tmp_path / ".local" / "bin" / "stigmer").exists()


def stamped(tmp_path: Path, pub: Path) -> Path:
    out = run(["bash", str(RELEASE / "stamp-installer.sh"), str(pub)])
    assert out.returncode == 0, out.stderr
    script = tmp_path / f"install-{pub.stem}.sh"
    script.write_text(out.stdout)
    return script


def test_the_published_installer_verifies_with_the_key_it_carries(tree: Path, serve: Callable[[Path], str],
                                                                  tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "STIGMER_RELEASES_URL": serve(tree),
           "STIGMER_VERSION": VERSION}
    good = run(["dash", str(stamped(tmp_path, DEV_PUB))], env=env)
    assert good.returncode == 0, good.stderr
    assert "signature of SHA256SUMS verified" in good.stderr
    # A key that did not sign this release: refused, nothing installed.
    other = tmp_path / "other.pub"
    other.write_text("untrusted comment: another key\nRWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n")
    (tmp_path / ".local" / "bin" / "stigmer").unlink()
    bad = run(["dash", str(stamped(tmp_path, other))], env=env)
    assert bad.returncode != 0 and "does not verify with the release key" in bad.stderr
    assert not (tmp_path / ".local" / "bin" / "stigmer").exists()


def test_stamping_refuses_a_file_that_is_not_a_public_key(tmp_path: Path) -> None:
    out = run(["bash", str(RELEASE / "stamp-installer.sh"), str(RELEASE / "keys" / "dev.key")])
    assert out.returncode != 0 and "is not a minisign public key file" in out.stderr


def test_uninstall(tree: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    assert install(serve(tree), tmp_path, STIGMER_CHANNEL="dev").returncode == 0
    installed = tmp_path / ".local" / "bin" / "stigmer"
    assert installed.exists()
    out = install(serve(tree), tmp_path, "--uninstall")
    assert out.returncode == 0, out.stderr
    assert not installed.exists() and "is kept" in out.stderr
    again = install(serve(tree), tmp_path, "--uninstall")
    assert "nothing to uninstall" in refusal(again)
