"""Temporal's native core logs through our log lines instead of its own coloured console output.

Without this, the SDK's core writes ANSI-coloured lines of its own to stderr, which would
break the one-format-per-line promise of STIGMER_LOG_FORMAT=json.
"""

from __future__ import annotations

import logging

from temporalio.runtime import LogForwardingConfig, LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter

CORE_LOGGER = "temporalio.core"


def route_core_logs_to_python_logging(debug: bool = False) -> None:
    """Must run before the first client or replayer is created (they bind the default runtime).

    Outside debug level only the core's errors come through: its warnings repeat what the
    SDK's own loggers already say (failed workflow tasks) or what the runner reports in
    one line itself (a missing namespace).
    """
    forwarding = LogForwardingConfig(logger=logging.getLogger(CORE_LOGGER))
    core_filter = TelemetryFilter(core_level="DEBUG" if debug else "ERROR", other_level="ERROR")
    logging_config = LoggingConfig(filter=core_filter, forwarding=forwarding)
    Runtime.set_default(Runtime(telemetry=TelemetryConfig(logging=logging_config)), error_if_already_set=False)
