"""`manage.py runserver` whose start-up text ("Performing system checks...", "Starting
development server at ...", the warning not to use it in production) goes out as log records
in LOG_FORMAT, like every other line, instead of plain lines printed between them.

It wraps whitenoise's `runserver` (the next one in INSTALLED_APPS), which serves static files
the way production does.
"""

import io
import logging
from typing import Any

# whitenoise has no type hints.
from whitenoise.runserver_nostatic.management.commands.runserver import (  # type: ignore[import-untyped]
    Command as RunserverCommand,
)

logger = logging.getLogger("django.core.management.commands.runserver")


class LogRecords(io.TextIOBase):
    """A stream that makes each non-blank line written to it a log record."""

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                logger.info(line.strip())
        return len(text)


class Command(RunserverCommand):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "stdout": LogRecords(), "no_color": True})
