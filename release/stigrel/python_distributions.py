"""The Python distributions inside a frozen agent-runner bundle, with version and license.

What is bundled is read from the bundle: the *.dist-info folders PyInstaller copied
(agent-runner.spec copies the metadata of every runtime distribution) and the top-level package
modules it wrote into _internal/ (package folders, .pyc files, extension modules). Versions,
licenses and the cross-check come from the environment PyInstaller froze (importlib.metadata
of that venv's interpreter): every bundled dist-info must be a distribution of that venv at the
same version, and a bundled module whose distribution sent no dist-info is listed from the
venv's metadata."""
from __future__ import annotations

import json
import re
import subprocess
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

from .components import Component

# Run by the venv's interpreter: its distributions, their license fields and top-level modules.
_DESCRIBE_VENV = """
import importlib.metadata as m, json, platform, sys
dists = {}
for d in m.distributions():
    meta = d.metadata
    dists[meta["Name"]] = {
        "version": d.version,
        "license_expression": meta.get("License-Expression"),
        "license": meta.get("License"),
        "classifiers": [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")],
        "license_files": [str(d.locate_file(f)) for f in d.files or [] if ".dist-info" in str(f.parent)
                          and (f.parent.name == "licenses" or f.name.upper().startswith(("LICEN", "COPYING")))],
    }
import os, sysconfig
stdlib = sysconfig.get_paths()["stdlib"]
texts = [os.path.join(stdlib, "LICENSE.txt"), os.path.join(sys.base_prefix, "LICENSE.txt")]
print(json.dumps({"python": platform.python_version(), "implementation": platform.python_implementation(),
                  "python_license_file": next((f for f in texts if os.path.isfile(f)), None),
                  "distributions": dists, "packages": m.packages_distributions()}))
"""


class BundleError(ValueError):
    """The bundle and the environment it was frozen from disagree."""


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def describe_venv(python: Path) -> dict[str, Any]:
    out = subprocess.run([str(python), "-c", _DESCRIBE_VENV], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise BundleError(f"{python}: cannot read its distributions: {out.stderr.strip()}")
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def bundled_dist_infos(bundle: Path) -> dict[str, tuple[str, str]]:
    """normalized name -> (name, version), from the bundle's *.dist-info/METADATA."""
    internal = bundle / "_internal"
    if not internal.is_dir():
        raise BundleError(f"{bundle}: no _internal/ folder (not a one-folder bundle)")
    out = {}
    for meta_file in sorted(internal.glob("*.dist-info/METADATA")):
        meta = HeaderParser().parsestr(meta_file.read_text(encoding="utf-8", errors="replace"))
        out[normalize(meta["Name"])] = (meta["Name"], meta["Version"])
    if not out:
        raise BundleError(f"{internal}: no *.dist-info folder (agent-runner.spec copies their metadata)")
    return out


def license_of(info: dict[str, Any]) -> tuple[str | None, bool]:
    """(license, is an SPDX expression): License-Expression, else a one-line License field, else
    the license classifiers, else the title of a license text in License; None when the
    distribution declares none."""
    if info.get("license_expression"):
        return str(info["license_expression"]), True
    text = (info.get("license") or "").strip()
    if text and "\n" not in text and len(text) <= 100 and text.upper() != "UNKNOWN":
        return text, False
    classifiers = [c.split(" :: ")[-1] for c in info.get("classifiers") or []]
    if classifiers:
        return "; ".join(classifiers), False
    # A whole license text in the License field: its title line ("MIT License").
    title = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if title and len(title) <= 60 and title.upper() != "UNKNOWN":
        return title, False
    return None, False


def bundled_modules(internal: Path) -> set[str]:
    """Top-level import names in _internal/ (the bundle keeps every module there, as .pyc files,
    package folders and extension modules)."""
    out = set()
    for entry in internal.iterdir():
        name = entry.name
        if entry.is_dir():
            if not name.endswith((".dist-info", ".egg-info")):
                out.add(name)
        elif name.endswith(".pyc"):
            out.add(name[: -len(".pyc")])
        elif name.endswith((".so", ".pyd")):
            out.add(name.split(".")[0])
    return out


def python_distributions(bundle: Path, python: Path, venv: dict[str, Any] | None = None) -> list[Component]:
    """Every distribution with metadata or modules in the bundle. A module whose distribution
    sent no metadata is listed from the build environment's; metadata whose modules were all
    excluded is listed too, and says so in its origin."""
    venv = venv if venv is not None else describe_venv(python)
    installed = {normalize(name): (name, info) for name, info in venv["distributions"].items()}
    bundled = bundled_dist_infos(bundle)
    owners: dict[str, set[str]] = {}  # normalized distribution -> its top-level modules in the bundle
    for module in bundled_modules(bundle / "_internal"):
        for owner in venv["packages"].get(module, []):
            owners.setdefault(normalize(owner), set()).add(module)
    problems = []
    components = []
    for key in sorted(set(bundled) | set(owners)):
        if key not in installed:
            name, version = bundled[key]
            problems.append(f"{name} {version} is bundled but not installed in the build environment")
            continue
        info = installed[key][1]
        if key in bundled:
            name, version = bundled[key]
            if info["version"] != version:
                problems.append(f"{name}: bundled {version}, the build environment has {info['version']}")
            origin = ("bundle dist-info and modules" if key in owners
                      else "bundle dist-info only (its modules are excluded from the bundle)")
        else:
            name, version = installed[key][0], info["version"]
            origin = f"bundle modules {sorted(owners[key])} without dist-info, build environment metadata"
        license_, spdx = license_of(info)
        # The bundle has no copy of its license files: THIRD_PARTY_NOTICES carries the venv's.
        license_files = [] if key in bundled else sorted(
            info.get("license_files") or [], key=lambda f: (not Path(f).name.upper().startswith(("LICEN", "COPYING")), f))
        components.append(Component(name, version, license_, f"pkg:pypi/{key}@{version}", origin, spdx,
                                     license_file=license_files[0] if license_files else None))
    if problems:
        raise BundleError("; ".join(problems))
    python_version = venv["python"]
    components.append(Component(f"Python ({venv['implementation']})", python_version, "PSF-2.0",
                                f"pkg:generic/python@{python_version}", "build environment interpreter",
                                license_file=venv.get("python_license_file")))
    return components
