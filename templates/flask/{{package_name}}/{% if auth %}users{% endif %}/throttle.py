"""Failed logins per account: after MAX_FAILURES within WINDOW, logins wait (429).

The failures live in the `login_failures` table, so every worker process and every host
counts the same attempts, with no Redis to run. A successful login clears the account's count.
"""

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from ..extensions import db
from .models import LoginFailure

MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def seconds_to_wait(email: str) -> int:
    """0 when the account may try to log in; otherwise the seconds until it may."""
    now = datetime.now(UTC)
    failures = (
        db.session.execute(
            select(LoginFailure.failed_at)
            .where(LoginFailure.email == email, LoginFailure.failed_at > now - WINDOW)
            .order_by(LoginFailure.failed_at.desc())
            .limit(MAX_FAILURES)
        )
        .scalars()
        .all()
    )
    if len(failures) < MAX_FAILURES:
        return 0
    # Once the oldest of the last MAX_FAILURES leaves the window, one more try is allowed.
    return max(1, math.ceil((_aware(failures[-1]) + WINDOW - now).total_seconds()))


def record_failure(email: str) -> None:
    now = datetime.now(UTC)
    db.session.execute(
        delete(LoginFailure).where(
            LoginFailure.email == email, LoginFailure.failed_at <= now - WINDOW
        )
    )
    db.session.add(LoginFailure(email=email, failed_at=now))
    db.session.commit()


def clear_failures(email: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    db.session.commit()
