"""PyInstaller's entry script: the frozen executable starts here."""

from agent_runner.__main__ import run_and_exit

run_and_exit()
