"""The login throttle: at most MAX_FAILURES failed logins for one account from one client
address within WINDOW, and ACCOUNT_MAX_FAILURES for one account from all addresses within
ACCOUNT_WINDOW; beyond either, logins for it wait (429 with Retry-After).

Counting per address means a guesser locks out only itself, never the account's owner; the
account's own ceiling still bounds a guesser spread over many addresses.

Every attempt is a row of the `login_failures` table, reserved *before* the password is checked
(`reserve`): written, counted with the account's other rows, and committed, or taken back when
there is no room for it. The reservations of one account are made one at a time (a lock on
the account's key in PostgreSQL; SQLite lets one writer in at a time anyway), so each counts
every attempt before it, and no other: of N parallel guesses exactly MAX_FAILURES reach the
password check, however many worker processes or hosts share the database, with no Redis to
run. A failed attempt's row stays as the record of the failure; a successful login clears its
own address's rows for the account (`clear`), not those of other addresses. A password change
(POST /api/users/me/password) is a login attempt too: its current password is checked the same
way, so a stolen access token cannot be used to guess the password.

The account routes are throttled the same way (`hit`, rows of `throttle_hits`, one scope per
route): a password-reset or verification mail may be asked for at most 5 times an hour for one
email from one address, and 20 times an hour for one email from all addresses, whether or not
the email has an account (every request counts); and a client address may present at most 10
bad reset, verification or refresh tokens within 15 minutes (a hit is reserved before the token
is checked, and taken back when the token was good: `forgive`).
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request
from sqlalchemy import ColumnElement, and_, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..config import get_settings
from .models import LoginFailure, ThrottleHit

MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)
ACCOUNT_MAX_FAILURES = 100
ACCOUNT_WINDOW = timedelta(hours=1)
# The `client` column's size: an IPv6 address takes at most 45 characters.
CLIENT_LENGTH = 64


def client_address(request: Request) -> str:
    """The socket peer; with TRUST_PROXY_HEADERS, the last X-Forwarded-For entry instead: the
    address the proxy in front appended (the entries before it are whatever the client sent)."""
    if get_settings().trust_proxy_headers:
        forwarded = ",".join(request.headers.getlist("x-forwarded-for")).split(",")
        entries = [entry.strip() for entry in forwarded if entry.strip()]
        if entries and entries[-1].isprintable():
            return entries[-1][:CLIENT_LENGTH]
    return request.client.host[:CLIENT_LENGTH] if request.client else ""


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _seconds_over(
    limit: int, window: timedelta, now: datetime, count: int, oldest: datetime | None
) -> int:
    """0 while the rows within `window` (this attempt's included) are at most `limit`;
    otherwise the seconds until the oldest of them leaves the window."""
    if count <= limit or oldest is None:
        return 0
    return max(1, math.ceil((_aware(oldest) + window - now).total_seconds()))


async def _one_at_a_time(session: AsyncSession, key: str) -> None:
    """Hold the key's (the account's) reservations to one transaction at a time, until this
    one ends."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
    # SQLite: the transaction's first write (the INSERT below) waits until no other is open.


async def reserve(session: AsyncSession, email: str, client: str) -> int:
    """Reserve a login attempt: 0 when it may go ahead and check the password (its row is
    committed, the failure's record unless `clear` follows); otherwise the seconds to wait,
    and no attempt is recorded.

    Few statements while the account is held (SQLite holds the whole database): one to
    write, one to count both windows, one to prune."""
    now = datetime.now(UTC)
    await _one_at_a_time(session, email)
    await session.execute(insert(LoginFailure).values(email=email, client=client, failed_at=now))
    in_window = LoginFailure.failed_at > now - WINDOW
    from_client = and_(LoginFailure.client == client, in_window)
    in_account_window = LoginFailure.failed_at > now - ACCOUNT_WINDOW
    counts = await session.execute(
        select(
            func.count().filter(from_client),
            func.min(LoginFailure.failed_at).filter(from_client),
            func.count().filter(in_account_window),
            func.min(LoginFailure.failed_at).filter(in_account_window),
        ).where(LoginFailure.email == email)
    )
    client_count, client_oldest, account_count, account_oldest = counts.one()
    wait = max(
        _seconds_over(MAX_FAILURES, WINDOW, now, client_count, client_oldest),
        _seconds_over(ACCOUNT_MAX_FAILURES, ACCOUNT_WINDOW, now, account_count, account_oldest),
    )
    if wait:
        await session.rollback()  # taken back: this attempt was never made
        return wait
    # On the way: rows older than the account's window count for nothing any more.
    await session.execute(
        delete(LoginFailure).where(
            LoginFailure.email == email, LoginFailure.failed_at <= now - ACCOUNT_WINDOW
        )
    )
    await session.commit()
    return 0


async def clear(session: AsyncSession, email: str, client: str) -> None:
    """After a successful login: this address's attempts for the account no longer count."""
    await session.execute(
        delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.client == client)
    )
    await session.commit()


@dataclass(frozen=True)
class Limit:
    """At most `count` hits for one key within `window`: from the client's address only
    (`per_client`), or from every address."""

    count: int
    window: timedelta
    per_client: bool = False


# Mails asked for (password-reset, verify-email/resend), keyed by the canonical email.
MAIL_LIMITS = (
    Limit(5, timedelta(hours=1), per_client=True),
    Limit(20, timedelta(hours=1)),
)
# Bad tokens presented (password-reset/confirm, verify-email, refresh), keyed by the address.
TOKEN_FAILURE_LIMITS = (Limit(10, timedelta(minutes=15)),)
# The scopes: one per route.
PASSWORD_RESET = "password-reset"  # noqa: S105 (a scope, not a secret)
VERIFY_EMAIL_RESEND = "verify-email-resend"
PASSWORD_RESET_CONFIRM = "password-reset-confirm"  # noqa: S105 (a scope, not a secret)
VERIFY_EMAIL = "verify-email"
REFRESH = "refresh"


async def hit(
    session: AsyncSession, scope: str, key: str, client: str, limits: tuple[Limit, ...]
) -> tuple[int, int | None]:
    """Reserve a hit of `scope` for `key` (an email, or the client address): `(0, its id)`
    when the request may go ahead (the hit is committed); otherwise `(seconds to wait, None)`,
    and nothing is recorded. Made one at a time per scope and key, as `reserve` does."""
    now = datetime.now(UTC)
    await _one_at_a_time(session, f"{scope}:{key}")
    hit_id = await session.scalar(
        insert(ThrottleHit)
        .values(scope=scope, key=key, client=client, hit_at=now)
        .returning(ThrottleHit.id)
    )
    columns: list[ColumnElement[Any]] = []
    for limit in limits:
        counted = ThrottleHit.hit_at > now - limit.window
        if limit.per_client:
            counted = and_(ThrottleHit.client == client, counted)
        columns += [func.count().filter(counted), func.min(ThrottleHit.hit_at).filter(counted)]
    row = (
        await session.execute(
            select(*columns).where(ThrottleHit.scope == scope, ThrottleHit.key == key)
        )
    ).one()
    wait = max(
        _seconds_over(limit.count, limit.window, now, row[2 * n], row[2 * n + 1])
        for n, limit in enumerate(limits)
    )
    if wait:
        await session.rollback()  # taken back: this request was never counted
        return wait, None
    longest = max(limit.window for limit in limits)
    await session.execute(
        delete(ThrottleHit).where(
            ThrottleHit.scope == scope, ThrottleHit.key == key, ThrottleHit.hit_at <= now - longest
        )
    )
    await session.commit()
    return 0, hit_id


async def forgive(session: AsyncSession, hit_id: int | None) -> None:
    """Take back a hit reserved by `hit`, in the caller's transaction: the token it was
    reserved for was good."""
    if hit_id is not None:
        await session.execute(delete(ThrottleHit).where(ThrottleHit.id == hit_id))
