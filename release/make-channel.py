#!/usr/bin/env python3
"""Writes {tree}/channels/{channel}.json pointing at a version (refuses pre-releases on stable)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stigrel.channel import build_channel  # noqa: E402
from stigrel.jsonfile import write_json  # noqa: E402
from stigrel.timestamps import published_at  # noqa: E402
from stigrel.versions import VersionError, check_version  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--channel", required=True)
    args = parser.parse_args()
    try:
        channel = build_channel(args.channel, check_version(args.version), published_at())
    except VersionError as err:
        print(f"make-channel: {err}", file=sys.stderr)
        return 1
    if not (args.tree / args.version / "manifest.json").is_file():
        print(f"make-channel: {args.tree / args.version}/manifest.json missing: publish the version first",
              file=sys.stderr)
        return 1
    (args.tree / "channels").mkdir(parents=True, exist_ok=True)
    out = args.tree / "channels" / f"{args.channel}.json"
    write_json(out, channel)
    print(f"make-channel: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
