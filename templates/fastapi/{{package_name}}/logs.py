"""Logging, configured once for the app, uvicorn and gunicorn alike: structlog over `logging`.

Every record, the app's own and the servers', goes to stdout as one line: a JSON object with
LOG_FORMAT=json (the default unless DEBUG is on), a readable key=value line otherwise. Platforms
(Heroku, Dokku, Docker, systemd) collect stdout line by line, so line breaks inside a message or
a traceback are escaped rather than written. Each record made while serving a request carries
its request id; `AccessLogMiddleware` writes exactly one access record per request.
"""

import logging
import logging.config
import re
import sys
import time
import uuid
from typing import Any

import structlog
from asgi_correlation_id import correlation_id
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.typing import EventDict, Processor, WrappedLogger

REQUEST_ID_HEADER = "X-Request-ID"
# A client's (or proxy's) request id is kept only when it is a short, harmless token.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

access_logger = structlog.get_logger(f"{__package__}.access")


def is_sane_request_id(value: str) -> bool:
    return SANE_REQUEST_ID.fullmatch(value) is not None


def new_request_id() -> str:
    return str(uuid.uuid4())


def add_request_id(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    request_id = correlation_id.get()
    if request_id:
        event_dict.setdefault("request_id", request_id)
    return event_dict


def escape_line_breaks(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Escape `\\`, CR and LF in text values, so that no value can start a forged line."""
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = value.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")
    return event_dict


class OneLineConsoleRenderer:
    """structlog's console renderer, on one line (values escaped, traceback included)."""

    def __init__(self, colors: bool) -> None:
        self._render = structlog.dev.ConsoleRenderer(colors=colors)

    def __call__(self, logger: WrappedLogger, name: str, event_dict: EventDict) -> str:
        line = self._render(logger, name, escape_line_breaks(logger, name, event_dict))
        return str(line).strip("\n").replace("\r", "\\r").replace("\n", "\\n")


# Applied to structlog's records and to the standard library's (uvicorn, gunicorn, SQLAlchemy).
SHARED_PROCESSORS: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    add_request_id,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.format_exc_info,
]


def logging_config(level: str, json_logs: bool) -> dict[str, Any]:
    """A dictConfig that gunicorn (logconfig_dict) and the app both apply."""
    level = level.upper()
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if json_logs
        else OneLineConsoleRenderer(colors=sys.stdout.isatty())
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structlog": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": SHARED_PROCESSORS,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    renderer,
                ],
            },
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "structlog",
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # The servers install their own handlers (stderr, own format); route them here instead.
            **{
                name: {"handlers": ["stdout"], "level": level, "propagate": False}
                for name in ("gunicorn.error", "uvicorn", "uvicorn.error")
            },
            # AccessLogMiddleware writes the one access record per request; the servers' own
            # access lines would duplicate it.
            **{
                name: {"handlers": [], "level": "CRITICAL", "propagate": False}
                for name in ("gunicorn.access", "uvicorn.access")
            },
        },
    }


def configure_logging(level: str, json_logs: bool) -> None:
    logging.config.dictConfig(logging_config(level, json_logs))
    # Python's warnings become log records too, instead of free text on stderr.
    logging.captureWarnings(True)
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


class AccessLogMiddleware:
    """One access record per request: method, path, status, duration; never headers or bodies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # Unless a response starts, the error middleware outside this one answers 500.
        status = 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            access_logger.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
