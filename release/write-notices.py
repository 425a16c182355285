#!/usr/bin/env python3
"""Writes THIRD_PARTY_NOTICES for one release archive from its components (JSON)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stigrel.components import read_components  # noqa: E402
from stigrel.notices import render_notices  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--artifact", required=True, help="what the notices describe, e.g. 'stigmer 1.2.3 (linux-amd64)'")
    parser.add_argument("--intro", required=True, help="a sentence on where the license texts are")
    parser.add_argument("--components", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    try:
        text = render_notices(args.artifact, args.intro, read_components(args.components))
    except (ValueError, FileNotFoundError) as err:
        print(f"write-notices: {err}", file=sys.stderr)
        return 1
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
