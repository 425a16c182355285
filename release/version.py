#!/usr/bin/env python3
"""Version facts for scripts and workflows.

  version.py from-tag v1.2.3        -> 1.2.3
  version.py channel 1.2.3-rc.1      -> preview   (stable | preview | dev)
  version.py github-output v1.2.3    -> version=..., prerelease=..., channel=... lines
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stigrel.versions import (  # noqa: E402
    VersionError,
    check_version,
    default_channel,
    is_prerelease,
    version_from_tag,
)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("from-tag", "channel", "github-output"):
        print(__doc__, file=sys.stderr)
        return 2
    command, value = argv
    try:
        if command == "from-tag":
            print(version_from_tag(value))
        elif command == "channel":
            print(default_channel(check_version(value)))
        else:
            version = version_from_tag(value)
            print(f"version={version}")
            print(f"prerelease={'true' if is_prerelease(version) else 'false'}")
            print(f"channel={default_channel(version)}")
    except VersionError as err:
        print(f"version: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
