"""The login throttle: at most MAX_FAILURES failed logins per account and client address
within WINDOW, and ACCOUNT_MAX_FAILURES per account from all addresses within ACCOUNT_WINDOW.

Each attempt is reserved before its password is checked: its row is committed first, then
counted with the rows already there. With N guesses in parallel, each one counts every
attempt committed before its own, so at most MAX_FAILURES of them get their password checked,
in any number of worker processes or hosts; the others are withdrawn and answered 429. A
wrong password leaves its row as the failure record; a right one deletes its client's rows
(never another client's, so nobody clears a stranger's lockout by logging in).

Counting per client address keeps an outsider who knows an email from locking its owner
out; the account's own ceiling bounds a guesser who spreads over many addresses.

The accounts routes share the table, each under a key of its own (never an email: see
`scoped`):
- the routes that send mail (`reserve_request`): every request counts, at most
  MAIL_MAX_REQUESTS per email and client address and MAIL_ACCOUNT_MAX_REQUESTS per email from
  all addresses within MAIL_WINDOW, whether or not an account has the email;
- the routes that take a token (`reserve_failure`): at most MAX_FAILURES bad tokens per client
  address within WINDOW; the reserved row of a good one is withdrawn (`forgive`).
"""

import hashlib
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from ..extensions import db
from .models import LoginFailure

MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)
ACCOUNT_MAX_FAILURES = 100
ACCOUNT_WINDOW = timedelta(hours=1)
MAIL_MAX_REQUESTS = 5
MAIL_ACCOUNT_MAX_REQUESTS = 20
MAIL_WINDOW = timedelta(hours=1)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _seconds_to_wait(attempt: LoginFailure, limit: int, window: timedelta, *conditions: Any) -> int:
    """0 while fewer than `limit` other attempts match `conditions` within `window`; else the
    seconds until the oldest of the last `limit` leaves it, and one more attempt fits."""
    now = attempt.failed_at
    recent = db.session.scalars(
        select(LoginFailure.failed_at)
        .where(*conditions, LoginFailure.id != attempt.id, LoginFailure.failed_at > now - window)
        .order_by(LoginFailure.failed_at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return 0
    return max(1, math.ceil((_aware(recent[-1]) + window - now).total_seconds()))


def _reserve(key: str, client: str, *limits: tuple[int, timedelta, bool]) -> tuple[int, int]:
    """Commit an attempt under `key` from `client`, then count the others: each limit is
    (count, window, per client). Returns (0, the row's id) while every limit holds, else (the
    seconds to wait, 0), the row withdrawn."""
    now = datetime.now(UTC)
    # Rows older than the longest window count for nothing any more.
    db.session.execute(
        delete(LoginFailure).where(
            LoginFailure.email == key, LoginFailure.failed_at <= now - ACCOUNT_WINDOW
        )
    )
    attempt = LoginFailure(email=key, client=client, failed_at=now)
    db.session.add(attempt)
    db.session.commit()  # visible to every other attempt before this one is counted
    same_key, same_client = LoginFailure.email == key, LoginFailure.client == client
    wait = max(
        _seconds_to_wait(attempt, count, window, same_key, *([same_client] if per_client else []))
        for count, window, per_client in limits
    )
    if wait:
        db.session.execute(delete(LoginFailure).where(LoginFailure.id == attempt.id))
        db.session.commit()
        return wait, 0
    return 0, attempt.id


def reserve_attempt(email: str, client: str) -> int:
    """Record an attempt to log in as `email` from `client`: 0 when its password may be
    checked (the row stays, as a failure until `clear_failures` says otherwise), else the
    seconds to wait (the row is withdrawn, it checked nothing)."""
    wait, _ = _reserve(
        email,
        client,
        (MAX_FAILURES, WINDOW, True),
        (ACCOUNT_MAX_FAILURES, ACCOUNT_WINDOW, False),
    )
    return wait


def scoped(scope: str, email: str = "") -> str:
    """The key of a route's rows: its scope, and a digest of the email (the column holds an
    email's 254 characters, not a prefix and an email). A login's key, an email, has an @."""
    digest = hashlib.sha256(email.encode()).hexdigest() if email else ""
    return f"{scope}:{digest}"


def reserve_request(scope: str, email: str, client: str) -> int:
    """Record a request that mails `email` (POST /api/auth/password-reset, .../resend): 0 when
    it may go on (the row stays: every request counts), else the seconds to wait."""
    wait, _ = _reserve(
        scoped(scope, email),
        client,
        (MAIL_MAX_REQUESTS, MAIL_WINDOW, True),
        (MAIL_ACCOUNT_MAX_REQUESTS, MAIL_WINDOW, False),
    )
    return wait


def reserve_failure(scope: str, client: str) -> tuple[int, int]:
    """Record a token about to be checked from `client`: (0, the row's id) when it may be
    checked (the row stays as a failure unless `forgive` withdraws it), else (the seconds to
    wait, 0)."""
    return _reserve(scoped(scope), client, (MAX_FAILURES, WINDOW, True))


def forgive(attempt_id: int) -> None:
    """The token was good: its attempt does not count."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.id == attempt_id))
    db.session.commit()


def clear_failures(email: str, client: str) -> None:
    """A successful login: its client's attempts no longer count against the account."""
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.client == client)
    )
    db.session.commit()
