#!/usr/bin/env python3
"""Writes {tree}/{version}/manifest.json from the artifacts in that directory."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stigrel.jsonfile import write_json  # noqa: E402
from stigrel.manifest import TreeError, build_manifest  # noqa: E402
from stigrel.platforms import PLATFORMS  # noqa: E402
from stigrel.timestamps import published_at  # noqa: E402
from stigrel.versions import VersionError, check_version  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, required=True, help="release tree root (the base URL)")
    parser.add_argument("--version", required=True)
    parser.add_argument("--temporal-version", required=True, help="upstream Temporal CLI version, e.g. 1.5.1")
    parser.add_argument("--require-all-platforms", action="store_true", help=f"fail unless all of {PLATFORMS}")
    parser.add_argument("--min-cli-version", help="oldest stigmer CLI that can run this release (semver)")
    args = parser.parse_args()
    try:
        version = check_version(args.version)
        version_dir = args.tree / version
        manifest = build_manifest(
            version_dir,
            version,
            {"temporal": args.temporal_version},
            published_at(),
            list(PLATFORMS) if args.require_all_platforms else [],
            args.min_cli_version or None,
        )
    except (TreeError, VersionError, FileNotFoundError) as err:
        print(f"make-manifest: {err}", file=sys.stderr)
        return 1
    write_json(version_dir / "manifest.json", manifest)
    print(f"make-manifest: {version_dir / 'manifest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
