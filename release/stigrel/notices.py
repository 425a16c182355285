"""THIRD_PARTY_NOTICES: the third-party software inside one release archive, with licenses."""
from __future__ import annotations

from .components import Component

NOTICES_FILE = "THIRD_PARTY_NOTICES"


def render_notices(artifact: str, intro: str, components: list[Component]) -> str:
    if not components:
        raise ValueError(f"{artifact}: no third-party component to list")
    rows = sorted(components, key=lambda c: c.name.lower())
    width = max(len(c.name) for c in rows)
    vwidth = max(len(c.version) for c in rows)
    lines = [
        f"Third-party software in {artifact}",
        "",
        "stigmer is licensed under the Apache License, Version 2.0 (LICENSE, beside this file).",
        intro,
        "",
        f"{'component'.ljust(width)}  {'version'.ljust(vwidth)}  license",
    ]
    for c in rows:
        lines.append(f"{c.name.ljust(width)}  {c.version.ljust(vwidth)}  {c.license or 'not declared in its metadata'}")
    return "\n".join(lines) + "\n"
