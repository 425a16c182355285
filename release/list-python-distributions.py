#!/usr/bin/env python3
"""Writes the Python distributions inside a frozen agent-runner bundle (JSON), checked against the
environment PyInstaller froze (its interpreter, --python)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stigrel.components import write_components  # noqa: E402
from stigrel.python_distributions import BundleError, python_distributions  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle", type=Path, required=True, help="the one-folder bundle (agent-runner + _internal/)")
    parser.add_argument("--python", type=Path, required=True, help="the interpreter of the venv PyInstaller used")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    try:
        components = python_distributions(args.bundle, args.python)
    except BundleError as err:
        print(f"list-python-distributions: {err}", file=sys.stderr)
        return 1
    write_components(args.out, components)
    print(f"list-python-distributions: {len(components)} components in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
