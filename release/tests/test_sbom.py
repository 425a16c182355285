"""The release's SBOM (release/make-sbom.py, CycloneDX JSON) against the built tree: every
artifact with its digest, every Python distribution actually in the agent-runner bundle, the
CLI's libraries, and its place in the manifest, SHA256SUMS and the GitHub assets."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

import pytest
from conftest import PLATFORM, RELEASE, REPO, VERSION, run

sys.path.insert(0, str(RELEASE))
from stigrel.components import Component, write_components  # noqa: E402


@pytest.fixture(scope="module")
def sbom(tree: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((tree / VERSION / "sbom.cdx.json").read_text())
    return data


def artifact(sbom: dict[str, Any], name: str, platform: str = PLATFORM) -> dict[str, Any]:
    found = [c for c in sbom["components"] if c["name"] == name
             and {"name": "stigmer:platform", "value": platform} in c["properties"]]
    assert len(found) == 1, (name, platform)
    return found[0]


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def bundled_distributions(tree: Path) -> set[tuple[str, str]]:
    """(name, version) of every *.dist-info folder inside the published agent-runner archive."""
    out = set()
    with tarfile.open(tree / VERSION / PLATFORM / "agent-runner.tar.gz") as tar:
        for member in tar.getmembers():
            if re.fullmatch(r"_internal/[^/]+\.dist-info/METADATA", member.name):
                f = tar.extractfile(member)
                assert f is not None
                meta = HeaderParser().parsestr(f.read().decode("utf-8", "replace"))
                out.add((normalize(meta["Name"]), meta["Version"]))
    return out


def bundled_module_owners(tree: Path) -> set[str]:
    """The distributions owning a top-level module inside the published agent-runner archive,
    according to the venv it was frozen from (agent-runner/.venv)."""
    with tarfile.open(tree / VERSION / PLATFORM / "agent-runner.tar.gz") as tar:
        tops = {n.split("/")[1] for n in tar.getnames() if n.startswith("_internal/") and n.count("/") >= 1}
    modules = {t.split(".")[0] for t in tops if not t.endswith((".dist-info", ".egg-info"))}
    python = REPO / "agent-runner" / ".venv" / "bin" / "python"
    out = run([str(python), "-c", "import importlib.metadata as m, json; print(json.dumps(m.packages_distributions()))"])
    assert out.returncode == 0, out.stderr
    owners: dict[str, list[str]] = json.loads(out.stdout)
    return {normalize(d) for m in modules for d in owners.get(m, [])}


def test_is_a_cyclonedx_document_about_this_release(sbom: dict[str, Any]) -> None:
    assert sbom["bomFormat"] == "CycloneDX" and sbom["specVersion"] == "1.5"
    assert sbom["metadata"]["component"]["version"] == VERSION
    refs = [c["bom-ref"] for c in sbom["components"]] + [
        n["bom-ref"] for c in sbom["components"] for n in c.get("components", [])]
    assert len(refs) == len(set(refs))
    for dependency in sbom["dependencies"]:
        assert set(dependency["dependsOn"]) <= set(refs), dependency["ref"]


def test_lists_every_distribution_in_the_built_bundle(tree: Path, sbom: dict[str, Any]) -> None:
    """Those whose dist-info is in the archive, at that version, and those owning a module in it."""
    bundled = bundled_distributions(tree)
    owners = bundled_module_owners(tree)
    assert bundled and owners, "the agent-runner archive holds no *.dist-info folder or no module"
    listed = {(normalize(c["name"]), c["version"]) for c in artifact(sbom, "agent-runner")["components"]
              if c["purl"].startswith("pkg:pypi/")}
    assert bundled <= listed
    assert {name for name, _ in listed} == {name for name, _ in bundled} | owners


def test_every_bundled_distribution_and_cli_library_has_a_version(sbom: dict[str, Any]) -> None:
    for name in ("agent-runner", "stigmer"):
        inside = artifact(sbom, name)["components"]
        assert inside and all(c["version"] and c["purl"] for c in inside), name
    # The CLI's libraries are all named with a recorded license (an unknown one stops the build).
    assert all(c["licenses"] for c in artifact(sbom, "stigmer")["components"])


def test_every_artifact_is_listed_with_its_digest(tree: Path, manifest: dict[str, Any], sbom: dict[str, Any]) -> None:
    for name, component in manifest["components"].items():
        for platform, entry in component["platforms"].items():
            listed = artifact(sbom, name, platform)
            assert listed["version"] == component["version"]
            assert listed["hashes"] == [{"alg": "SHA-256", "content": entry["sha256"]}]


def test_the_cli_archives_notices_name_every_library_the_sbom_lists(tree: Path, sbom: dict[str, Any]) -> None:
    with tarfile.open(tree / VERSION / PLATFORM / "stigmer.tar.gz") as tar:
        f = tar.extractfile("THIRD_PARTY_NOTICES")
        assert f is not None
        notices = f.read().decode()
    for library in artifact(sbom, "stigmer")["components"]:
        assert re.search(rf"^{re.escape(library['name'])}\s+{re.escape(library['version'])}\s", notices, re.M), library["name"]


def test_manifest_and_sha256sums_name_the_sbom(tree: Path, manifest: dict[str, Any]) -> None:
    data = (tree / VERSION / "sbom.cdx.json").read_bytes()
    assert manifest["sbom"] == {"url": "sbom.cdx.json", "sha256": hashlib.sha256(data).hexdigest(),
                                "size": len(data), "format": "cyclonedx+json"}
    assert f"{hashlib.sha256(data).hexdigest()}  sbom.cdx.json" in (tree / VERSION / "SHA256SUMS").read_text().splitlines()


def test_the_github_release_carries_the_sbom(tree: Path, tmp_path: Path) -> None:
    out = run(["bash", str(RELEASE / "github-assets.sh"), str(tree), VERSION, str(tmp_path / "gh")])
    assert out.returncode == 0, out.stderr
    asset = tmp_path / "gh" / f"stigmer-{VERSION}-sbom.cdx.json"
    assert asset.read_bytes() == (tree / VERSION / "sbom.cdx.json").read_bytes()
    check = run(["sha256sum", "-c", "checksums.txt"], cwd=tmp_path / "gh")
    assert check.returncode == 0 and f"{asset.name}: OK" in check.stdout


def synthetic_tree(root: Path, platforms: list[str], parts_for: list[str]) -> tuple[Path, Path]:
    tree, parts = root / "tree", root / "parts"
    for platform in platforms:
        d = tree / "1.2.3" / platform
        d.mkdir(parents=True)
        for name in ("agent-runner", "temporal", "stigmer"):
            (d / f"{name}.tar.gz").write_bytes(name.encode())
    lib = Component("zlib", "1.3", "Zlib", "pkg:generic/zlib@1.3", "test")
    for platform in parts_for:
        write_components(parts / platform / "cli-libraries.json", [lib])
        write_components(parts / platform / "python-distributions.json", [lib])
    return tree, parts


def make_sbom(tree: Path, parts: Path) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, str(RELEASE / "make-sbom.py"), "--tree", str(tree), "--version", "1.2.3",
                "--temporal-version", "1.5.1", "--parts", str(parts)],
               env=dict(os.environ, SOURCE_DATE_EPOCH="1700000000"))


def test_a_platform_without_its_parts_is_refused(tmp_path: Path) -> None:
    tree, parts = synthetic_tree(tmp_path, ["linux-amd64", "darwin-arm64"], ["linux-amd64"])
    out = make_sbom(tree, parts)
    assert out.returncode != 0 and "every platform needs its parts" in out.stderr
    assert not (tree / "1.2.3" / "sbom.cdx.json").exists()


def test_a_rerun_writes_the_same_sbom_and_another_artifact_another(tmp_path: Path) -> None:
    tree, parts = synthetic_tree(tmp_path, ["linux-amd64"], ["linux-amd64"])
    assert make_sbom(tree, parts).returncode == 0
    first = (tree / "1.2.3" / "sbom.cdx.json").read_bytes()
    assert make_sbom(tree, parts).returncode == 0
    assert (tree / "1.2.3" / "sbom.cdx.json").read_bytes() == first
    (tree / "1.2.3" / "linux-amd64" / "stigmer.tar.gz").write_bytes(b"rebuilt")
    assert make_sbom(tree, parts).returncode == 0
    assert json.loads((tree / "1.2.3" / "sbom.cdx.json").read_bytes())["serialNumber"] != json.loads(first)["serialNumber"]
