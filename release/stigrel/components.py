"""A third-party component shipped inside a release artifact, as the notices and the SBOM see it."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Component:
    name: str
    version: str
    license: str | None  # an SPDX expression, or the distribution's own words; None when undeclared
    purl: str  # package URL (https://github.com/package-url/purl-spec)
    origin: str  # where name and version were read: "dpkg libarchive-dev:amd64", "bundle dist-info", ...
    license_is_spdx: bool = True
    # The license text on the build machine (THIRD_PARTY_NOTICES copies it); not in the SBOM.
    license_file: str | None = None


def write_components(path: Path, components: list[Component]) -> None:
    rows = [asdict(c) for c in sorted(components, key=lambda c: (c.name.lower(), c.version))]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


def read_components(path: Path) -> list[Component]:
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return [Component(**row) for row in rows]
