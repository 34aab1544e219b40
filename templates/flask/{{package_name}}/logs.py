"""Logging, configured once for the app and gunicorn alike: structlog over `logging`.

Every record, the app's own and the server's, goes to stdout as one line: a JSON object with
LOG_FORMAT=json (the default unless DEBUG is on), a readable key=value line otherwise. Platforms
(Heroku, Dokku, Docker, systemd) collect stdout line by line, so line breaks inside a message or
a traceback are escaped rather than written. `init_app` gives each request an id, puts it on
every record made while serving it, and writes exactly one access record per request.

Flask has no request-id extension in wide use, so two request hooks do it here: they bind the id
with structlog's context variables, which every record (the framework's too) picks up.
"""

import logging
import logging.config
import re
import sys
import time
import uuid
from typing import Any

import structlog
from flask import Flask, Response, g, request
from structlog.typing import EventDict, Processor, WrappedLogger

REQUEST_ID_HEADER = "X-Request-ID"
# A client's (or proxy's) request id is kept only when it is a short, harmless token.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

access_logger = structlog.get_logger(f"{__package__}.access")


def is_sane_request_id(value: str) -> bool:
    return SANE_REQUEST_ID.fullmatch(value) is not None


def new_request_id() -> str:
    return str(uuid.uuid4())


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


# Applied to structlog's records and to the standard library's (Flask, gunicorn, SQLAlchemy).
SHARED_PROCESSORS: list[Processor] = [
    structlog.contextvars.merge_contextvars,
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
                for name in ("gunicorn.error",)
            },
            # The app writes the one access record per request; gunicorn's would duplicate it.
            "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
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


def start_request() -> None:
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = sent if is_sane_request_id(sent) else new_request_id()
    g.request_started = time.perf_counter()
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)


def finish_request(response: Response) -> Response:
    """Echo the id and write the access record: method, path, status, duration; never headers
    or bodies. Flask runs this for error responses (404, 500) too."""
    # g is empty when another before_request hook answered before start_request ran.
    response.headers[REQUEST_ID_HEADER] = g.setdefault("request_id", new_request_id())
    started = g.get("request_started", time.perf_counter())
    access_logger.info(
        "request",
        method=request.method,
        path=request.path,
        status=response.status_code,
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
    )
    return response


def forget_request(_: BaseException | None) -> None:
    structlog.contextvars.clear_contextvars()


def init_app(app: Flask) -> None:
    """Request ids and access records for every request of `app`."""
    app.before_request(start_request)
    app.after_request(finish_request)
    app.teardown_request(forget_request)
