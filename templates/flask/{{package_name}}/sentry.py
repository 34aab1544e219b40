"""Error reporting to Sentry, started only when SENTRY_DSN is set (imported only then, too).

sentry-sdk finds the Flask and SQLAlchemy integrations by itself; each event carries the
request id, so a report leads to the request's log lines.
"""

import sentry_sdk
import structlog
from sentry_sdk.types import Event, Hint

from .config import Config


def tag_request_id(event: Event, hint: Hint) -> Event:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def start_reporting(config: Config) -> None:
    sentry_sdk.init(
        dsn=config.SENTRY_DSN,
        environment=config.SENTRY_ENVIRONMENT or None,
        release=config.SENTRY_RELEASE or None,
        # Personal data (Authorization, cookies, bodies, client IPs) stays out of reports.
        send_default_pii=False,
        before_send=tag_request_id,
    )
