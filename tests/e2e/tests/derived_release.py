"""Releases made from the tree's own artifacts: same binaries, another version stamp, finalized
and signed by the release scripts (release/finalize.sh, minisign with the development key), as
the next release of a channel would be."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import REPO, VERSION


def release_script(name: str, *args: str, **env: str) -> None:
    result = subprocess.run(["bash", str(REPO / "release" / name), *args], env={**os.environ, **env},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{name} {args}: {result.stderr}"


def derive_release(source: Path, tree: Path, version: str, channel: str | None = "stable", min_cli_version: str = "",
                   temporal_version: str = "") -> None:
    """Writes release `version` into `tree` (artifacts hard-linked where the file system allows)
    and points `channel` at it unless None. `temporal_version`: the version its manifest gives
    Temporal (the same binary), as a release that moves to another Temporal would."""
    target = tree / version / "linux-amd64"
    shutil.copytree(source / VERSION / "linux-amd64", target, copy_function=_link_or_copy)
    copy_sbom(source, tree / version)
    extra = {"STIGMER_TEMPORAL_VERSION": temporal_version} if temporal_version else {}
    release_script("finalize.sh", str(tree), version, STIGMER_MIN_CLI_VERSION=min_cli_version, **extra)
    if channel:
        # Fixtures lay out their releases in any order (a server offering 1.1.0 beside 1.2.0):
        # forced past the channel's never-backwards rule, which release/tests/test_finalize.py checks.
        publish(tree, version, channel, force=True)


def copy_sbom(source: Path, version_dir: Path) -> None:
    """finalize.sh refuses a release without its SBOM: a derived release keeps the source's (the
    CLI never reads it; release/tests/test_sbom.py checks a real one)."""
    version_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / VERSION / "sbom.cdx.json", version_dir / "sbom.cdx.json")


def publish(tree: Path, version: str, channel: str = "stable", force: bool = False) -> None:
    release_script("publish-channel.sh", str(tree), version, channel, STIGMER_CHANNEL_FORCE="1" if force else "0")


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
