"""THIRD_PARTY_NOTICES as write-notices.py renders it: every component with its license, and each
license text once."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import RELEASE

sys.path.insert(0, str(RELEASE))
from stigrel.components import Component  # noqa: E402
from stigrel.notices import render_notices  # noqa: E402


def component(name: str, license_file: Path | None = None, license_: str | None = "MIT") -> Component:
    return Component(name, "1.0", license_, f"pkg:generic/{name}@1.0", "test",
                     license_file=str(license_file) if license_file else None)


def test_lists_every_component_and_each_license_text_once(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("Permission is hereby granted, A\n")
    (tmp_path / "b").write_text("Permission is hereby granted, A\n")
    text = render_notices("stigmer.tar.gz", "intro", [
        component("zlib", tmp_path / "a"), component("libarchive", tmp_path / "b"),
        component("mystery", license_=None)])
    table = text.split("=" * 78)[0]
    assert [line.split()[0] for line in table.splitlines() if line.strip()][-3:] == ["libarchive", "mystery", "zlib"]
    assert "not declared in its metadata" in table
    assert text.count("Permission is hereby granted, A") == 1
    assert "The same text as libarchive's, above." in text


def test_a_missing_license_text_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="license text of zlib"):
        render_notices("x", "intro", [component("zlib", tmp_path / "gone")])


def test_an_archive_without_components_is_refused() -> None:
    with pytest.raises(ValueError, match="no third-party component"):
        render_notices("x", "intro", [])
