"""Renders the Homebrew formula template with a release's version and CLI archive checksums."""
from __future__ import annotations

import re

_BLOCK = re.compile(r"^[ \t]*# @platform (\S+)\n(.*?)^[ \t]*# @end\n", re.M | re.S)
FORMULA_PLATFORMS = ("darwin-arm64", "darwin-amd64", "linux-arm64", "linux-amd64")


class FormulaError(ValueError):
    """The release lacks what the formula needs."""


def render(template: str, version: str, base_url: str, cli_sha256: dict[str, str], require_all: bool) -> str:
    """cli_sha256: platform -> sha256 of {platform}/stigmer.tar.gz."""
    missing = [p for p in FORMULA_PLATFORMS if p not in cli_sha256]
    if require_all and missing:
        raise FormulaError(f"no CLI archive for {missing}")
    if len(missing) == len(FORMULA_PLATFORMS):
        raise FormulaError("no CLI archive for any Homebrew platform")

    def block(match: re.Match[str]) -> str:
        platform, body = match.group(1), match.group(2)
        if platform not in FORMULA_PLATFORMS:
            raise FormulaError(f"template names unknown platform {platform}")
        sha = cli_sha256.get(platform)
        return body.replace("@SHA256@", sha) if sha else ""

    text = _BLOCK.sub(block, template)
    text = text.replace("@VERSION@", version).replace("@BASE_URL@", base_url.rstrip("/"))
    leftover = re.findall(r"@[A-Z0-9_]+@", text)
    if leftover:
        raise FormulaError(f"unreplaced placeholders {sorted(set(leftover))}")
    return text


def cli_checksums(sha256sums: str) -> dict[str, str]:
    """platform -> sha256 of its stigmer.tar.gz, read from a SHA256SUMS file."""
    out: dict[str, str] = {}
    for line in sha256sums.splitlines():
        digest, _, name = line.partition("  ")
        platform, _, file = name.partition("/")
        if file == "stigmer.tar.gz":
            out[platform] = digest
    return out
