#!/usr/bin/env python3
"""Writes the third-party libraries inside a built CLI (JSON), read from its CMake build directory."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stigrel.cli_libraries import BuildError, cli_libraries  # noqa: E402
from stigrel.components import write_components  # noqa: E402
from stigrel.library_licenses import UnknownLibrary  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--platform", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    try:
        components = cli_libraries(args.build_dir, args.platform)
    except (BuildError, UnknownLibrary) as err:
        print(f"list-cli-libraries: {err}", file=sys.stderr)
        return 1
    write_components(args.out, components)
    print(f"list-cli-libraries: {len(components)} libraries in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
