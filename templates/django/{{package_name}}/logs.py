"""Logging, configured once for Django, gunicorn and Celery alike: structlog over `logging`.

Every record, the app's own, Django's, gunicorn's and the worker's, goes to stdout as one line:
a JSON object with LOG_FORMAT=json (the default unless DEBUG is on), a readable key=value line
otherwise. Platforms (Heroku, Dokku, Docker, systemd) collect stdout line by line, so line
breaks inside a message or a traceback are escaped rather than written.

Request ids come from django-guid (the `X-Request-ID` header, carried into Celery tasks); every
record made while serving a request or running a task carries its id, and
`request_log_middleware` writes exactly one access record per request.
"""

import logging
import logging.config
import re
import sys
import time
from collections.abc import Callable
from typing import Any

import structlog
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django_guid import clear_guid, get_guid
from structlog.typing import EventDict, Processor, WrappedLogger

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_META = "HTTP_X_REQUEST_ID"
# A client's (or proxy's) request id is kept only when it is a short, harmless token.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

access_logger = structlog.get_logger(f"{__package__}.access")


def is_sane_request_id(value: str) -> bool:
    return SANE_REQUEST_ID.fullmatch(value) is not None


def add_request_id(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    request_id = get_guid()
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


# Applied to structlog's records and to the standard library's (Django, gunicorn, Celery).
SHARED_PROCESSORS: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    add_request_id,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.format_exc_info,
]


def logging_config(level: str, json_logs: bool) -> dict[str, Any]:
    """The dictConfig of settings.LOGGING, which gunicorn (logconfig_dict) applies too."""
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
            # request_log_middleware writes the one access record per request; the servers'
            # own access lines would duplicate it.
            **{
                name: {"handlers": [], "level": "CRITICAL", "propagate": False}
                for name in ("gunicorn.access", "django.server")
            },
            # Django's default handlers (stderr while DEBUG, mail to ADMINS) would write a second
            # copy of its records, in another format: the root handler has them all.
            "django": {"handlers": [], "level": level, "propagate": True},
            # One line per request about where its id came from is noise.
            "django_guid": {"level": "WARNING"},
        },
    }


def configure_logging(config: dict[str, Any]) -> None:
    """Django's LOGGING_CONFIG: apply settings.LOGGING and set structlog up to match."""
    logging.config.dictConfig(config)
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def request_log_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Keep a client's X-Request-ID only when it is sane (django-guid, next in MIDDLEWARE, then
    makes a new one), and write the access record: method, path, status, duration; never
    headers or bodies."""

    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        sent = request.META.get(REQUEST_ID_META, "")
        if sent and not is_sane_request_id(sent):
            del request.META[REQUEST_ID_META]
        response = get_response(request)
        access_logger.info(
            "request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return response

    # After the response is sent (and Django's own records about it are written), the id is
    # dropped, so that the worker thread's later records carry no stale one.
    request_finished.connect(forget_request_id, dispatch_uid=f"{__name__}.forget_request_id")
    return middleware


def forget_request_id(**_: object) -> None:
    clear_guid()
