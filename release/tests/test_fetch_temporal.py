"""fetch-temporal.sh (the workflow's upstream mirror step) against a loopback copy of upstream's
release layout: v1.5.1/temporal_cli_1.5.1_{os}_{arch}.tar.gz + checksums.txt. The archive must
match the sha256 committed in release/TEMPORAL_SHA256SUMS, whatever upstream's checksums.txt says.

The loopback archive is the local build's temporal.tar.gz, not upstream's bytes, so most tests
run a copy of the script beside its own pin file (the real one pins upstream's archives)."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PLATFORM, RELEASE, VERSION, run

sys.path.insert(0, str(RELEASE))
from stigrel.platforms import PLATFORMS  # noqa: E402

TEMPORAL = (RELEASE / "TEMPORAL_VERSION").read_text().strip()
ASSET = f"temporal_cli_{TEMPORAL}_linux_amd64.tar.gz"
PINS = RELEASE / "TEMPORAL_SHA256SUMS"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upstream_asset(platform: str, version: str = TEMPORAL) -> str:
    os_, arch = platform.split("-")
    return f"temporal_cli_{version}_{os_}_{arch}.{'zip' if os_ == 'windows' else 'tar.gz'}"


def pinned() -> dict[str, str]:
    """file name -> sha256, from the committed pin file (comments skipped)."""
    out = {}
    for line in PINS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split()
            out[name] = digest
    return out


@pytest.fixture
def local_archive(tree: Path) -> bytes:
    return (tree / VERSION / PLATFORM / "temporal.tar.gz").read_bytes()


@pytest.fixture
def upstream(local_archive: bytes, tmp_path: Path) -> Path:
    """The local temporal.tar.gz published the way upstream's goreleaser publishes it."""
    root = tmp_path / "upstream"
    d = root / f"v{TEMPORAL}"
    d.mkdir(parents=True)
    (d / ASSET).write_bytes(local_archive)
    other = upstream_asset("darwin-arm64")
    (d / "checksums.txt").write_text(f"{sha256(b'x')}  {other}\n{sha256(local_archive)}  {ASSET}\n")
    return root


def script_with_pins(tmp_path: Path, pins: dict[str, str], version: str = TEMPORAL,
                     script: str = "fetch-temporal.sh") -> Path:
    """A copy of the script beside its own TEMPORAL_VERSION and TEMPORAL_SHA256SUMS."""
    d = tmp_path / "release"
    d.mkdir()
    for name in (script, "lib.sh"):
        shutil.copy(RELEASE / name, d / name)
    (d / "TEMPORAL_VERSION").write_text(version + "\n")
    (d / "TEMPORAL_SHA256SUMS").write_text("# test pins\n" + "".join(f"{v}  {k}\n" for k, v in pins.items()))
    return d / script


def fetch(base: str, out: Path, platform: str = PLATFORM,
          script: Path = RELEASE / "fetch-temporal.sh") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TEMPORAL_RELEASES_URL=base)
    return run(["bash", str(script), platform, str(out)], env=env)


def test_mirrors_the_archive_matching_its_pin_byte_for_byte(
        upstream: Path, local_archive: bytes, serve: Callable[[Path], str], tmp_path: Path) -> None:
    script = script_with_pins(tmp_path, {ASSET: sha256(local_archive)})
    out = fetch(serve(upstream), tmp_path / "out", script=script)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out" / "temporal.tar.gz").read_bytes() == local_archive


def test_a_tampered_archive_with_a_forged_checksums_txt_is_refused(
        upstream: Path, local_archive: bytes, serve: Callable[[Path], str], tmp_path: Path) -> None:
    script = script_with_pins(tmp_path, {ASSET: sha256(local_archive)})
    tampered = local_archive[:-1]
    (upstream / f"v{TEMPORAL}" / ASSET).write_bytes(tampered)
    (upstream / f"v{TEMPORAL}" / "checksums.txt").write_text(f"{sha256(tampered)}  {ASSET}\n")
    out = fetch(serve(upstream), tmp_path / "out", script=script)
    assert out.returncode != 0 and "does not match the pinned" in out.stderr
    assert not (tmp_path / "out" / "temporal.tar.gz").exists()


def test_the_committed_pins_refuse_an_archive_upstream_did_not_publish(
        upstream: Path, local_archive: bytes, serve: Callable[[Path], str], tmp_path: Path) -> None:
    """The real script reads the real pin file: the locally built archive is not upstream's."""
    assert sha256(local_archive) != pinned()[ASSET]
    out = fetch(serve(upstream), tmp_path / "out")
    assert out.returncode != 0 and f"does not match the pinned {pinned()[ASSET]}" in out.stderr
    assert not (tmp_path / "out").exists()


def test_a_version_bump_without_pinned_sums_is_refused_in_one_line_before_downloading(
        upstream: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    bumped = "9.9.9"
    d = upstream / f"v{bumped}"
    d.mkdir()
    (d / upstream_asset(PLATFORM, bumped)).write_bytes(b"new archive")
    script = script_with_pins(tmp_path, pinned(), version=bumped)
    out = fetch(serve(upstream), tmp_path / "out", script=script)
    assert out.returncode != 0
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "no pinned sha256 in release/TEMPORAL_SHA256SUMS" in out.stderr and bumped in out.stderr
    assert not (tmp_path / "out").exists()


def test_windows_asset_name_is_the_zip(upstream: Path, serve: Callable[[Path], str], tmp_path: Path) -> None:
    out = fetch(serve(upstream), tmp_path / "out", "windows-amd64")
    assert out.returncode != 0 and f"cannot download" in out.stderr
    assert upstream_asset("windows-amd64") in out.stderr


def test_every_platform_of_the_pinned_version_has_exactly_one_sum() -> None:
    lines = [l for l in PINS.read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert all(re.fullmatch(r"[0-9a-f]{64}  \S+", l) for l in lines), lines
    names = [l.split()[1] for l in lines]
    assert sorted(names) == sorted(upstream_asset(p) for p in PLATFORMS)


def test_the_pin_check_passes_on_the_committed_files() -> None:
    out = run(["bash", str(RELEASE / "check-temporal-pins.sh")])
    assert out.returncode == 0, out.stderr


def test_the_pin_check_names_every_unpinned_archive_in_one_line(tmp_path: Path) -> None:
    pins = pinned()
    del pins[upstream_asset("darwin-arm64")]
    out = run(["bash", str(script_with_pins(tmp_path, pins, script="check-temporal-pins.sh"))])
    assert out.returncode != 0 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert upstream_asset("darwin-arm64") in out.stderr and upstream_asset("linux-amd64") not in out.stderr


def test_the_pin_check_refuses_a_version_bump(tmp_path: Path) -> None:
    out = run(["bash", str(script_with_pins(tmp_path, pinned(), version="9.9.9", script="check-temporal-pins.sh"))])
    assert out.returncode != 0
    assert all(upstream_asset(p, "9.9.9") in out.stderr for p in PLATFORMS), out.stderr


def test_the_shell_platform_list_is_the_release_platforms() -> None:
    out = run(["bash", "-c", f'source "{RELEASE / "lib.sh"}" && echo "$RELEASE_PLATFORMS"'])
    assert out.stdout.split() == list(PLATFORMS)
