"""The local release tree: manifest, SHA256SUMS, channel and signatures against the real files."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from conftest import DEV_PUB, PLATFORM, RELEASE, VERSION, run


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(path: Path, pub: Path = DEV_PUB) -> subprocess.CompletedProcess[str]:
    return run(["minisign", "-V", "-p", str(pub), "-m", str(path)])


def test_tree_layout(tree: Path) -> None:
    files = sorted(str(p.relative_to(tree)) for p in tree.rglob("*") if p.is_file())
    assert files == sorted([
        "install.sh", "channels/dev.json", "channels/dev.json.minisig",
        f"{VERSION}/manifest.json", f"{VERSION}/manifest.json.minisig",
        f"{VERSION}/SHA256SUMS", f"{VERSION}/SHA256SUMS.minisig", f"{VERSION}/sbom.cdx.json",
        f"{VERSION}/{PLATFORM}/agent-runner.tar.gz", f"{VERSION}/{PLATFORM}/temporal.tar.gz",
        f"{VERSION}/{PLATFORM}/stigmer.tar.gz",
    ])


def test_manifest_matches_every_artifact(tree: Path, manifest: dict) -> None:
    assert manifest["schema"] == 1 and manifest["version"] == VERSION
    assert set(manifest["components"]) == {"agent-runner", "temporal", "stigmer"}
    temporal_version = (RELEASE / "TEMPORAL_VERSION").read_text().strip()
    for name, component in manifest["components"].items():
        assert component["version"] == (temporal_version if name == "temporal" else VERSION)
        assert set(component["platforms"]) == {PLATFORM}
        entry = component["platforms"][PLATFORM]
        path = tree / VERSION / entry["url"]
        assert entry["sha256"] == sha256(path), name
        assert entry["size"] == path.stat().st_size, name
        assert entry["format"] == "tar.gz"


def test_archives_hold_their_entry_as_an_executable(tree: Path, manifest: dict) -> None:
    for name in ("agent-runner", "temporal", "stigmer"):
        entry = manifest["components"][name]["platforms"][PLATFORM]
        with tarfile.open(tree / VERSION / entry["url"]) as tar:
            member = tar.getmember(entry["entry"])
            assert member.isfile() and member.mode & 0o111 == 0o111, name


def test_executables_report_their_version(tree: Path, tmp_path: Path) -> None:
    for name in ("stigmer", "temporal"):
        with tarfile.open(tree / VERSION / PLATFORM / f"{name}.tar.gz") as tar:
            tar.extract(name, tmp_path, filter="data")
    temporal_version = (RELEASE / "TEMPORAL_VERSION").read_text().strip()
    assert VERSION in run([str(tmp_path / "stigmer"), "--version"]).stdout
    assert f"temporal version {temporal_version}" in run([str(tmp_path / "temporal"), "--version"]).stdout
    # The agent-runner is a folder: its executable beside _internal/ and the version it reports.
    with tarfile.open(tree / VERSION / PLATFORM / "agent-runner.tar.gz") as tar:
        names = tar.getnames()
        assert "agent-runner.version" in names and any(n.startswith("_internal/") for n in names)
        tar.extractall(tmp_path / "runner", filter="data")
    runner = run([str(tmp_path / "runner" / "agent-runner"), "--version"])
    assert runner.stdout.strip() == VERSION, runner.stdout + runner.stderr


def test_sha256sums_checks_out(tree: Path) -> None:
    out = run(["sha256sum", "--strict", "-c", "SHA256SUMS"], cwd=tree / VERSION)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count(": OK") == 4 and "sbom.cdx.json: OK" in out.stdout


@pytest.mark.parametrize("name", [f"{VERSION}/manifest.json", f"{VERSION}/SHA256SUMS", "channels/dev.json"])
def test_signatures_verify_with_the_dev_key(tree: Path, name: str) -> None:
    out = verify(tree / name)
    assert out.returncode == 0, out.stderr
    # The trusted comment names the file, so a signature cannot be moved to another file.
    assert f"stigmer {name}" in out.stdout


def test_a_modified_manifest_fails_verification(tree: Path, tmp_path: Path) -> None:
    copy = tmp_path / "manifest.json"
    data = json.loads((tree / VERSION / "manifest.json").read_text())
    data["components"]["agent-runner"]["platforms"][PLATFORM]["size"] += 1
    copy.write_text(json.dumps(data, indent=2) + "\n")
    shutil.copy(tree / VERSION / "manifest.json.minisig", tmp_path / "manifest.json.minisig")
    assert verify(copy).returncode != 0


def test_another_key_does_not_verify(tree: Path, tmp_path: Path) -> None:
    run(["minisign", "-G", "-W", "-p", str(tmp_path / "other.pub"), "-s", str(tmp_path / "other.key")])
    assert verify(tree / VERSION / "manifest.json", tmp_path / "other.pub").returncode != 0


def test_channel_points_at_the_version(tree: Path) -> None:
    channel = json.loads((tree / "channels" / "dev.json").read_text())
    assert channel["schema"] == 1 and channel["channel"] == "dev" and channel["version"] == VERSION


def test_install_sh_is_published_at_the_root(tree: Path) -> None:
    assert (tree / "install.sh").read_bytes() == (RELEASE / "install.sh").read_bytes()
