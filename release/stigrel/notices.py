"""THIRD_PARTY_NOTICES: the third-party software inside one release archive, with licenses, and
the license texts the build machine has for them."""
from __future__ import annotations

import hashlib
from pathlib import Path

from .components import Component


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
    texts: dict[str, str] = {}  # digest of a text -> the first component printed with it
    for c in rows:
        if not c.license_file:
            continue
        path = Path(c.license_file)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: the license text of {c.name} is missing")
        text = path.read_text(encoding="utf-8", errors="replace").rstrip()
        digest = hashlib.sha256(text.encode()).hexdigest()
        lines += ["", "=" * 78, f"{c.name} {c.version} ({path.name} of {c.purl})", "=" * 78]
        if digest in texts:
            lines.append(f"The same text as {texts[digest]}'s, above.")
        else:
            texts[digest] = c.name
            lines.append(text)
    return "\n".join(lines) + "\n"
