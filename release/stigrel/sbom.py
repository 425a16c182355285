"""The release's SBOM: one CycloneDX 1.5 JSON document for every artifact of every platform,
each artifact listing the third-party components inside it (written with the standard library).

Per platform, the build leaves a folder of parts: cli-libraries.json (list-cli-libraries.py) and
python-distributions.json (list-python-distributions.py); the Temporal CLI is upstream's archive,
listed as one component with its upstream license."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from .components import Component, read_components
from .digests import sha256_file
from .manifest import TreeError, platforms_in
from .platforms import artifact

# component -> the part listing what is inside its artifact
PARTS = {"stigmer": "cli-libraries.json", "agent-runner": "python-distributions.json"}
OWN_LICENSE = "Apache-2.0"
TEMPORAL_LICENSE = "MIT"  # upstream's LICENSE, shipped in its archive


def licenses(component: Component) -> list[dict[str, Any]]:
    if component.license is None:
        return []
    if component.license_is_spdx:
        return [{"expression": component.license}]
    return [{"license": {"name": component.license}}]


def library(component: Component, parent: str) -> dict[str, Any]:
    return {
        "type": "library",
        "bom-ref": f"{parent}/{component.purl}",
        "name": component.name,
        "version": component.version,
        "purl": component.purl,
        "licenses": licenses(component),
        "properties": [{"name": "stigmer:origin", "value": component.origin}],
    }


def build_sbom(version_dir: Path, version: str, temporal_version: str, parts: Path,
               timestamp: str) -> dict[str, Any]:
    platforms = platforms_in(version_dir)
    have = sorted(p.name for p in parts.iterdir() if p.is_dir()) if parts.is_dir() else []
    if have != platforms:
        raise TreeError(f"SBOM parts for {have}, release platforms {platforms}: every platform needs its parts")
    root = f"stigmer@{version}"
    components: list[dict[str, Any]] = []
    dependencies: list[dict[str, Any]] = []
    for platform in platforms:
        for name in ("stigmer", "agent-runner", "temporal"):
            file = artifact(name, platform).file
            path = version_dir / platform / file
            if not path.is_file():
                raise TreeError(f"{path}: missing")
            ref = f"{platform}/{file}"
            entry: dict[str, Any] = {
                "type": "application",
                "bom-ref": ref,
                "name": name,
                "version": temporal_version if name == "temporal" else version,
                "hashes": [{"alg": "SHA-256", "content": sha256_file(path)}],
                "licenses": [{"expression": TEMPORAL_LICENSE if name == "temporal" else OWN_LICENSE}],
                "properties": [{"name": "stigmer:platform", "value": platform},
                               {"name": "stigmer:artifact", "value": ref}],
            }
            if name == "temporal":
                entry["purl"] = f"pkg:golang/github.com/temporalio/cli@v{temporal_version}"
                entry["description"] = "upstream's release archive, mirrored unmodified (release/TEMPORAL_SHA256SUMS)"
            else:
                part = parts / platform / PARTS[name]
                if not part.is_file():
                    raise TreeError(f"{part}: missing")
                inside = [library(c, ref) for c in read_components(part)]
                if not inside:
                    raise TreeError(f"{part}: lists no component")
                entry["components"] = inside
                dependencies.append({"ref": ref, "dependsOn": [c["bom-ref"] for c in inside]})
            components.append(entry)
    dependencies.insert(0, {"ref": root, "dependsOn": [c["bom-ref"] for c in components]})
    digest = "".join(h["content"] for c in components for h in c["hashes"])
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        # The same artifacts give the same serial number: a re-run writes the same file.
        "serialNumber": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'stigmer/{version}/{digest}')}",
        "version": 1,
        "metadata": {
            "timestamp": timestamp,
            "tools": {"components": [{"type": "application", "name": "stigmer release/make-sbom.py"}]},
            "component": {"type": "application", "bom-ref": root, "name": "stigmer", "version": version,
                          "licenses": [{"expression": OWN_LICENSE}]},
        },
        "components": components,
        "dependencies": dependencies,
    }
