"""PyInstaller's entry script: the frozen executable starts here."""

import sys

from agent_runner.__main__ import main

sys.exit(main())
