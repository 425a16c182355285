#!/usr/bin/env python3
"""Writes {tree}/channels/{channel}.json pointing at a version (refuses pre-releases on stable,
and a version older than the one the channel names unless --force)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stigrel.channel import build_channel, check_forward  # noqa: E402
from stigrel.jsonfile import write_json  # noqa: E402
from stigrel.timestamps import published_at  # noqa: E402
from stigrel.versions import VersionError, check_version  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--channel", required=True)
    parser.add_argument("--current", type=Path,
                        help="the channel file published now (default: the tree's own, if any)")
    parser.add_argument("--force", action="store_true", help="allow moving the channel to an older version")
    args = parser.parse_args()
    current_file = args.current or args.tree / "channels" / f"{args.channel}.json"
    try:
        current = None
        if current_file.is_file() and not args.force:
            try:
                current = str(json.loads(current_file.read_text())["version"])
            except (ValueError, KeyError, TypeError) as err:
                raise VersionError(f"{current_file} is not a channel file ({err}): "
                                   "fix or remove it, or --force") from None
        channel = build_channel(args.channel, check_version(args.version), published_at())
        check_forward(args.channel, current, args.version, args.force)
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
