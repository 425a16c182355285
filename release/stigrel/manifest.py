"""The signed release manifest (docs/release-manifest.md), built from a version directory."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .digests import sha256_file
from .platforms import COMPONENTS, PLATFORMS, artifact
from .versions import is_semver

SCHEMA = 1
SBOM_FILE = "sbom.cdx.json"  # the release's SBOM, beside the manifest (stigrel/sbom.py)


class TreeError(ValueError):
    """A version directory that does not hold a complete release."""


def platforms_in(version_dir: Path) -> list[str]:
    found = sorted(p.name for p in version_dir.iterdir() if p.is_dir())
    unknown = [p for p in found if p not in PLATFORMS]
    if unknown:
        raise TreeError(f"{version_dir}: unknown platform directories {unknown}")
    return found


def build_manifest(
    version_dir: Path,
    version: str,
    component_versions: dict[str, str],
    published_at: str,
    required_platforms: list[str],
    min_cli_version: str | None = None,
) -> dict[str, Any]:
    platforms = platforms_in(version_dir)
    missing = [p for p in required_platforms if p not in platforms]
    if missing:
        raise TreeError(f"{version_dir}: missing platforms {missing}")
    if not platforms:
        raise TreeError(f"{version_dir}: no platform directory")
    components: dict[str, Any] = {}
    for name in COMPONENTS:
        entries: dict[str, Any] = {}
        for platform in platforms:
            art = artifact(name, platform)
            path = version_dir / platform / art.file
            if not path.is_file():
                raise TreeError(f"{path}: missing ({name} for {platform})")
            entries[platform] = {
                "url": f"{platform}/{art.file}",
                "sha256": sha256_file(path),
                "size": path.stat().st_size,
                "format": art.format,
                "entry": art.entry,
            }
        components[name] = {"version": component_versions.get(name, version), "platforms": entries}
    for platform in platforms:
        expected = {artifact(name, platform).file for name in COMPONENTS}
        extra = sorted(p.name for p in (version_dir / platform).iterdir() if p.name not in expected)
        if extra:
            raise TreeError(f"{version_dir / platform}: unexpected files {extra}")
    manifest: dict[str, Any] = {"schema": SCHEMA, "version": version, "published_at": published_at}
    if min_cli_version is not None:
        # The oldest CLI that can run this release; older ones refuse it and say how to upgrade.
        if not is_semver(min_cli_version):
            raise TreeError(f"min_cli_version {min_cli_version!r} is not a semantic version (e.g. 1.4.0)")
        manifest["min_cli_version"] = min_cli_version
    sbom = version_dir / SBOM_FILE
    if not sbom.is_file():
        raise TreeError(f"{sbom}: missing (release/make-sbom.py writes it before finalize.sh)")
    manifest["sbom"] = {"url": SBOM_FILE, "sha256": sha256_file(sbom), "size": sbom.stat().st_size,
                        "format": "cyclonedx+json"}
    manifest["components"] = components
    return manifest
