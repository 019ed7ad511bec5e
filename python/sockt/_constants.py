"""The documented constants (official reference "Configuration"); the values come from the core's
protocol.hpp, the single source of truth."""

from sockt._sockt import (
    DEFAULT_BASE_URL,
    DEFAULT_POLL_INTERVAL_SECS,
    DEFAULT_TIMEOUT_SECS,
    DEFAULT_WAIT_POLL_INTERVAL_SECS,
    DEFAULT_WAIT_TIMEOUT_SECS,
    POD_STARTING_BACKOFF_SECS,
    POD_STARTING_MAX_RETRIES,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT_SECS",
    "DEFAULT_POLL_INTERVAL_SECS",
    "DEFAULT_WAIT_POLL_INTERVAL_SECS",
    "DEFAULT_WAIT_TIMEOUT_SECS",
    "POD_STARTING_BACKOFF_SECS",
    "POD_STARTING_MAX_RETRIES",
]
