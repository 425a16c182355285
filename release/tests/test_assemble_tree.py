"""assemble-tree.sh: the build jobs' downloaded artifacts (platform-*, sbom-parts-*) become the
release tree and its SBOM, in the publish job and the dry run alike."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import RELEASE, run

sys.path.insert(0, str(RELEASE))
from stigrel.components import Component, write_components  # noqa: E402


def downloads(root: Path, platforms: list[str], parts_for: list[str]) -> Path:
    d = root / "stage"
    for platform in platforms:
        p = d / f"platform-{platform}"
        p.mkdir(parents=True)
        ext = "zip" if platform.startswith("windows") else "tar.gz"
        for name in ("agent-runner", "temporal", "stigmer"):
            (p / f"{name}.{ext}").write_bytes(f"{name} {platform}".encode())
    lib = Component("zlib", "1.3", "Zlib", "pkg:generic/zlib@1.3", "test")
    for platform in parts_for:
        write_components(d / f"sbom-parts-{platform}" / "cli-libraries.json", [lib])
        write_components(d / f"sbom-parts-{platform}" / "python-distributions.json", [lib])
    return d


def assemble(stage: Path, tree: Path) -> subprocess.CompletedProcess[str]:
    return run(["bash", str(RELEASE / "assemble-tree.sh"), str(stage), str(tree), "1.2.3"])


def test_platforms_become_the_tree_and_parts_the_sbom(tmp_path: Path) -> None:
    platforms = ["linux-amd64", "windows-amd64"]
    out = assemble(downloads(tmp_path, platforms, platforms), tmp_path / "tree")
    assert out.returncode == 0, out.stderr
    version_dir = tmp_path / "tree" / "1.2.3"
    assert sorted(p.name for p in version_dir.iterdir()) == ["linux-amd64", "sbom.cdx.json", "windows-amd64"]
    assert (version_dir / "windows-amd64" / "stigmer.zip").read_bytes() == b"stigmer windows-amd64"
    sbom = json.loads((version_dir / "sbom.cdx.json").read_text())
    assert sorted(c["bom-ref"] for c in sbom["components"]) == sorted(
        f"{p}/{n}.{'zip' if p.startswith('windows') else 'tar.gz'}" for p in platforms
        for n in ("agent-runner", "temporal", "stigmer"))


def test_a_platform_without_sbom_parts_is_refused(tmp_path: Path) -> None:
    out = assemble(downloads(tmp_path, ["linux-amd64", "darwin-arm64"], ["linux-amd64"]), tmp_path / "tree")
    assert out.returncode != 0 and "every platform needs its parts" in out.stderr


def test_nothing_downloaded_is_refused(tmp_path: Path) -> None:
    (tmp_path / "stage").mkdir()
    out = assemble(tmp_path / "stage", tmp_path / "tree")
    assert out.returncode != 0 and "no platform-* artifact" in out.stderr
