"""Build-time check: no two installed distributions may provide the same top-level module.

When two distributions ship the same top-level name (the known case: `multipart`
from both `multipart` and `python-multipart`), the later install overwrites the
earlier one's files and the frozen executable fails on import. This check reads
the installed metadata (importlib.metadata) and fails the build on any clash
that is not explicitly resolved in RESOLVED_CLASHES.

Run it alone: `python packaging/top_level_check.py` (exit 1 on a clash).
"""

from __future__ import annotations

import importlib.metadata as metadata
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

# module -> why it is safe: such a module is also excluded from the bundle by the spec,
# so neither clashing copy can be imported by the executable.
RESOLVED_CLASHES: dict[str, str] = {
    "multipart": "two distributions (multipart, python-multipart) ship it; nothing the "
    "runner imports needs it, so the bundle leaves it out instead of picking a copy",
}

_NOT_MODULES = {"__pycache__", "..", ""}


@dataclass
class Provided:
    """What one distribution installs: its top-level names and its files."""

    name: str
    regular: set[str] = field(default_factory=set)  # names it owns outright (module or package)
    namespace_parts: set[str] = field(default_factory=set)  # names it only adds a part to
    files: set[str] = field(default_factory=set)


def _is_installed_code(parts: tuple[str, ...]) -> bool:
    first = parts[0] if parts else ""
    return bool(parts) and first not in _NOT_MODULES and not first.endswith((".dist-info", ".egg-info", ".data"))


def provided_by(dist: metadata.Distribution) -> Provided:
    found = Provided(dist.metadata["Name"] or "?")
    for entry in dist.files or []:
        parts = PurePosixPath(str(entry)).parts
        if not _is_installed_code(parts) or "__pycache__" in parts:
            continue
        found.files.add("/".join(parts))
        top = parts[0]
        if len(parts) == 1:
            if top.endswith(".py"):
                found.regular.add(top[: -len(".py")])
            elif top.endswith((".so", ".pyd")):
                found.regular.add(top.split(".", 1)[0])
        elif len(parts) == 2 and parts[1] == "__init__.py":
            found.regular.add(top)
        else:
            found.namespace_parts.add(top)
    if not dist.files:  # no RECORD: trust top_level.txt and treat each name as owned
        declared = dist.read_text("top_level.txt") or ""
        found.regular |= {line.strip() for line in declared.splitlines() if line.strip()}
    found.namespace_parts -= found.regular
    return found


def find_clashes(distributions: Iterable[metadata.Distribution]) -> dict[str, list[str]]:
    """Top-level names (and single files) that more than one distribution would overwrite.

    Sharing a namespace package (google, langgraph) is fine, and so is a subpackage that
    one distribution adds inside another's package (temporalio-deepagents ships
    temporalio/deepagents/); a clash is a name that two distributions each own outright,
    or a file path that two distributions both install.
    """
    owners: dict[str, set[str]] = defaultdict(set)
    regular_owners: dict[str, set[str]] = defaultdict(set)
    file_owners: dict[str, set[str]] = defaultdict(set)
    for dist in distributions:
        provided = provided_by(dist)
        for module in provided.regular:
            regular_owners[module].add(provided.name)
        for module in provided.regular | provided.namespace_parts:
            owners[module].add(provided.name)
        for path in provided.files:
            file_owners[path].add(provided.name)
    clashes = {m: sorted(owners[m]) for m, n in regular_owners.items() if len(n) > 1}
    for path, names in file_owners.items():
        module = path.split("/", 1)[0].split(".", 1)[0]
        if len(names) > 1 and module not in clashes:
            clashes[module] = sorted(names)
    return clashes


def unresolved(clashes: dict[str, list[str]]) -> dict[str, list[str]]:
    return {module: names for module, names in clashes.items() if module not in RESOLVED_CLASHES}


def main(paths: "list[str] | None" = None) -> int:
    dists = metadata.distributions(path=paths) if paths else metadata.distributions()
    clashes = find_clashes(dists)
    bad = unresolved(clashes)
    for module, names in sorted(clashes.items()):
        status = "CLASH" if module in bad else "resolved"
        print(f"top-level module {module!r} is provided by {', '.join(names)}: {status}", file=sys.stderr)
    if bad:
        print(
            "build stopped: uninstall one of each clashing pair, or list the module in "
            "RESOLVED_CLASHES (it is then excluded from the bundle)",
            file=sys.stderr,
        )
        return 1
    print("top-level module check: no clash", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or None))
