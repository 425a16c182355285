"""release/install.sh (POSIX sh, run by dash here) against the local release server."""
from __future__ import annotations

import os
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import DEV_PUB, PLATFORM, RELEASE, VERSION, run


def install(base: str, home: Path, *args: str, **env: str) -> "object":
    environ = {"PATH": "/usr/bin:/bin", "HOME": str(home), "STIGMER_RELEASES_URL": base, **env}
    return run(["dash", str(RELEASE / "install.sh"), *args], env=environ)


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
    assert out.returncode != 0
    errors = [line for line in out.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and message in errors[0], out.stderr
