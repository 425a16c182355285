"""fetch-temporal.sh (the workflow's upstream mirror step) against a loopback copy of
upstream's release layout: v1.5.1/temporal_cli_1.5.1_{os}_{arch}.tar.gz + checksums.txt."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PLATFORM, RELEASE, VERSION, run

TEMPORAL = (RELEASE / "TEMPORAL_VERSION").read_text().strip()
ASSET = f"temporal_cli_{TEMPORAL}_linux_amd64.tar.gz"


@pytest.fixture
def upstream(tree: Path, tmp_path: Path) -> Path:
    """The local temporal.tar.gz published the way upstream's goreleaser publishes it."""
    root = tmp_path / "upstream"
    d = root / f"v{TEMPORAL}"
    d.mkdir(parents=True)
    data = (tree / VERSION / PLATFORM / "temporal.tar.gz").read_bytes()
    (d / ASSET).write_bytes(data)
    other = f"temporal_cli_{TEMPORAL}_darwin_arm64.tar.gz"
    (d / "checksums.txt").write_text(
        f"{hashlib.sha256(b'x').hexdigest()}  {other}\n{hashlib.sha256(data).hexdigest()}  {ASSET}\n")
    return root


def fetch(base: str, out: Path, platform: str = PLATFORM) -> "object":
    env = dict(os.environ, TEMPORAL_RELEASES_URL=base)
    return run(["bash", str(RELEASE / "fetch-temporal.sh"), platform, str(out)], env=env)


def test_mirrors_the_verified_archive_byte_for_byte(upstream: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    out = fetch(serve(upstream), tmp_path / "out")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out" / "temporal.tar.gz").read_bytes() == (upstream / f"v{TEMPORAL}" / ASSET).read_bytes()


def test_checksum_mismatch_is_refused(upstream: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    asset = upstream / f"v{TEMPORAL}" / ASSET
    asset.write_bytes(asset.read_bytes()[:-1])
    out = fetch(serve(upstream), tmp_path / "out")
    assert out.returncode != 0 and "does not match upstream" in out.stderr
    assert not (tmp_path / "out" / "temporal.tar.gz").exists()


def test_asset_missing_from_checksums_is_refused(upstream: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    sums = upstream / f"v{TEMPORAL}" / "checksums.txt"
    sums.write_text("".join(l + "\n" for l in sums.read_text().splitlines() if ASSET not in l))
    out = fetch(serve(upstream), tmp_path / "out")
    assert out.returncode != 0 and "not listed" in out.stderr


def test_windows_asset_name_is_the_zip(upstream: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    out = fetch(serve(upstream), tmp_path / "out", "windows-amd64")
    assert out.returncode != 0 and f"temporal_cli_{TEMPORAL}_windows_amd64.zip" in out.stderr
