"""`stigmer --help` teaches the main journey and every exit code; descriptions read alike."""
import re
import subprocess
from pathlib import Path

from conftest import stigmer_binary

ERROR_H = Path(__file__).resolve().parents[2] / "src" / "util" / "error.h"


def _help(*args):
    result = subprocess.run([stigmer_binary(), *args, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _subcommand_descriptions(text):
    block = text.split("Subcommands:\n", 1)[1].split("\n\n", 1)[0]
    return dict(re.findall(r"^  (\S+)\s+(.+)$", block, re.M))


def test_top_level_help_shows_the_journey_from_start_to_stop():
    text = _help()
    examples = text.split("Subcommands:", 1)[1]
    for command in ("stigmer server start", "stigmer run ", "stigmer runs", "stigmer server status",
                    "stigmer server logs", "stigmer server stop", "stigmer server update"):
        assert f"\n  {command}" in examples, command


def test_top_level_help_lists_every_exit_code():
    codes = {int(value) for value in re.findall(r"^\s+k\w+ = (\d+),", ERROR_H.read_text(), re.M)}
    text = _help().split("Exit codes:", 1)[1]
    listed = {int(code) for code in re.findall(r"(\d+) [a-z]", text)}
    assert codes and listed == codes


def test_every_subcommand_description_starts_with_a_capital():
    descriptions = {**_subcommand_descriptions(_help()), **_subcommand_descriptions(_help("server"))}
    assert {"run", "install", "start", "logs", "stop"} <= set(descriptions)
    assert [name for name, text in descriptions.items() if not text[0].isupper()] == []


def test_run_refuses_an_unknown_provider_before_it_looks_for_a_stack(tmp_path):
    result = subprocess.run([stigmer_binary(), "--home", str(tmp_path), "run", "--provider", "gemini", "hi"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2  # usage
    assert result.stderr.splitlines() == [
        "stigmer: error: --provider: gemini not in {anthropic,openai,ollama}, command line; run `stigmer --help`"]
