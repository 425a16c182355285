"""Temporal's native core logs through our log lines instead of its own coloured console output.

Without this, the SDK's core writes ANSI-coloured lines of its own to stderr, which would
break the one-format-per-line promise of STIGMER_LOG_FORMAT=json.
"""

from __future__ import annotations

import logging

from temporalio.runtime import LogForwardingConfig, LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter

CORE_LOGGER = "temporalio.core"


def route_core_logs_to_python_logging() -> None:
    """Must run before the first client or replayer is created (they bind the default runtime)."""
    forwarding = LogForwardingConfig(logger=logging.getLogger(CORE_LOGGER))
    logging_config = LoggingConfig(filter=TelemetryFilter(core_level="WARN", other_level="ERROR"), forwarding=forwarding)
    Runtime.set_default(Runtime(telemetry=TelemetryConfig(logging=logging_config)), error_if_already_set=False)
