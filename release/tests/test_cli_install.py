"""The released CLI installs the release's components from the local release server and from
the tree as served: `stigmer server install --releases-url ... --version ... --home ...`."""
from __future__ import annotations

import hashlib
import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PLATFORM, VERSION, run


@pytest.fixture(scope="module")
def stigmer(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli")
    with tarfile.open(tree / VERSION / PLATFORM / "stigmer.tar.gz") as tar:
        tar.extract("stigmer", d, filter="data")
    return d / "stigmer"


def test_server_install_from_the_local_release_server(stigmer: Path, tree: Path, manifest: dict,
                                                      serve: Callable[[Path], str], tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = run([str(stigmer), "--quiet", "--releases-url", serve(tree), "--home", str(home),
               "server", "install", "--version", VERSION], timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    # The agent-runner's folder, unpacked once: every file of the archive, byte for byte.
    runner = manifest["components"]["agent-runner"]["platforms"][PLATFORM]
    installed = home / "versions" / "agent-runner" / VERSION
    with tarfile.open(tree / VERSION / runner["url"]) as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        assert len(members) > 100
        for member in members:
            packed = tar.extractfile(member)
            assert packed is not None
            assert hashlib.sha256(packed.read()).digest() == hashlib.sha256((installed / member.name).read_bytes()).digest(), member.name
    assert (installed / runner["entry"]).stat().st_mode & 0o111
    # bin/ holds the active version's launchers (DESIGN.md, "On disk").
    temporal_version = manifest["components"]["temporal"]["version"]
    assert f"temporal version {temporal_version}" in run([str(home / "bin" / "temporal"), "--version"]).stdout
    assert VERSION in run([str(home / "bin" / "agent-runner"), "--version"]).stdout


def test_server_install_refuses_a_tampered_manifest(stigmer: Path, tree: Path, serve: Callable[[Path], str],
                                                     tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "tree"
    shutil.copytree(tree, copy)
    manifest = copy / VERSION / "manifest.json"
    data = json.loads(manifest.read_text())
    data["published_at"] = "2000-01-01T00:00:00Z"
    manifest.write_text(json.dumps(data, indent=2) + "\n")
    home = tmp_path / "home"
    out = run([str(stigmer), "--quiet", "--releases-url", serve(copy), "--home", str(home),
               "server", "install", "--version", VERSION], timeout=120)
    assert out.returncode != 0
    assert "manifest.json" in out.stdout + out.stderr
    assert not (home / "versions" / "agent-runner" / VERSION).exists()
