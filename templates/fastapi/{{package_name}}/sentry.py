"""Error reporting to Sentry, started only when SENTRY_DSN is set (imported only then, too).

sentry-sdk finds the FastAPI, Starlette and SQLAlchemy integrations by itself; each event
carries the request id, so a report leads to the request's log lines.
"""

import sentry_sdk
from asgi_correlation_id import correlation_id
from sentry_sdk.types import Event, Hint

from .config import Settings


def tag_request_id(event: Event, hint: Hint) -> Event:
    request_id = correlation_id.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def start_reporting(settings: Settings) -> None:
    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.sentry_environment or None,
        release=settings.sentry_release or None,
        # Personal data (Authorization, cookies, bodies, client IPs) stays out of reports.
        send_default_pii=False,
        before_send=tag_request_id,
    )
