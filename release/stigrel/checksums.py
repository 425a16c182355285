"""SHA256SUMS: the plain checksum list install.sh reads (format of `sha256sum`)."""
from __future__ import annotations

from pathlib import Path

from .digests import sha256_file
from .manifest import SBOM_FILE, platforms_in


def sha256sums(version_dir: Path) -> str:
    lines = []
    for platform in platforms_in(version_dir):
        for path in sorted((version_dir / platform).iterdir()):
            lines.append(f"{sha256_file(path)}  {platform}/{path.name}\n")
    sbom = version_dir / SBOM_FILE
    if sbom.is_file():  # the manifest refuses a tree without it
        lines.append(f"{sha256_file(sbom)}  {SBOM_FILE}\n")
    return "".join(lines)
