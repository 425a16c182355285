#!/usr/bin/env python3
"""Writes {tree}/{version}/sbom.cdx.json (CycloneDX) from the artifacts and each platform's parts."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stigrel.jsonfile import write_json  # noqa: E402
from stigrel.manifest import SBOM_FILE, TreeError  # noqa: E402
from stigrel.sbom import build_sbom  # noqa: E402
from stigrel.timestamps import published_at  # noqa: E402
from stigrel.versions import VersionError, check_version  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--temporal-version", required=True)
    parser.add_argument("--parts", type=Path, required=True,
                        help="one folder per platform: cli-libraries.json and python-distributions.json")
    args = parser.parse_args()
    try:
        version_dir = args.tree / check_version(args.version)
        sbom = build_sbom(version_dir, args.version, args.temporal_version, args.parts, published_at())
    except (TreeError, VersionError, FileNotFoundError) as err:
        print(f"make-sbom: {err}", file=sys.stderr)
        return 1
    write_json(version_dir / SBOM_FILE, sbom)
    count = sum(len(c.get("components", [])) for c in sbom["components"])
    print(f"make-sbom: {version_dir / SBOM_FILE} ({len(sbom['components'])} artifacts, {count} components inside)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
