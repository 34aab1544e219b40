"""Logging to stdout, one line per record, for the app, uvicorn and gunicorn alike.

Platforms (Heroku, Dokku, Docker, systemd) collect stdout line by line, so a multi-line
traceback would otherwise arrive as many unrelated records.
"""

import logging
import logging.config
from typing import Any

FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"


class OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\n", "\\n")


def logging_config(level: str) -> dict[str, Any]:
    """A dictConfig that gunicorn (logconfig_dict) and the app both apply."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "line": {"()": f"{__name__}.OneLineFormatter", "format": FORMAT},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "line",
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        # The servers install their own handlers (stderr, own format); route them here instead.
        "loggers": {
            name: {"handlers": ["stdout"], "level": level, "propagate": False}
            for name in (
                "gunicorn.error",
                "gunicorn.access",
                "uvicorn",
                "uvicorn.error",
                "uvicorn.access",
            )
        },
    }


def configure_logging(level: str) -> None:
    logging.config.dictConfig(logging_config(level))
