#!/usr/bin/env python3
"""Writes {tree}/{version}/SHA256SUMS (`sha256sum -c` format) for every artifact."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stigrel.checksums import sha256sums  # noqa: E402
from stigrel.manifest import TreeError  # noqa: E402
from stigrel.versions import VersionError, check_version  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--version", required=True)
    args = parser.parse_args()
    try:
        version_dir = args.tree / check_version(args.version)
        text = sha256sums(version_dir)
    except (TreeError, VersionError, FileNotFoundError) as err:
        print(f"make-sha256sums: {err}", file=sys.stderr)
        return 1
    out = version_dir / "SHA256SUMS"
    tmp = out.with_name("SHA256SUMS.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out)
    print(f"make-sha256sums: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
