#!/usr/bin/env python3
"""Renders release/homebrew/stigmer.rb.tmpl for a finalized release (checksums from SHA256SUMS)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stigrel.formula import FormulaError, cli_checksums, render  # noqa: E402
from stigrel.versions import VersionError, check_version  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--base-url", default="https://releases.stigmer.ai")
    parser.add_argument("--template", type=Path, default=HERE / "homebrew" / "stigmer.rb.tmpl")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--require-all-platforms", action="store_true")
    args = parser.parse_args()
    try:
        version = check_version(args.version)
        sums = (args.tree / version / "SHA256SUMS").read_text(encoding="utf-8")
        text = render(args.template.read_text(encoding="utf-8"), version, args.base_url,
                      cli_checksums(sums), args.require_all_platforms)
    except (FormulaError, VersionError, FileNotFoundError) as err:
        print(f"render-formula: {err}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"render-formula: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
