"""Login attempts per account and client address: reserve, then verify.

Each attempt is first written, and committed, as a row of `users_loginfailure`; only then are
the rows counted, and only an attempt within the limits has its password checked. Every
worker process (and every host) sees the rows of the others before it counts, so N parallel
guesses get at most MAX_FAILURES checked, whatever the number of workers or threads. The view
must run in autocommit mode (Django's default, without ATOMIC_REQUESTS) for that.

- One client may fail MAX_FAILURES times for one account within WINDOW: counted per (account,
  client address), so a stranger who knows an email cannot lock its owner out.
- All clients together may fail ACCOUNT_MAX_FAILURES times for one account within
  ACCOUNT_WINDOW: a guesser spread over many addresses stays bounded.

A wrong password keeps its row (the failure record); a right one deletes that client's rows.
A refused attempt deletes its row, unless the attempts counted against it all came after it
(in flight at the same moment): then it keeps its row, so that in a burst the first attempts
cannot all refuse each other and leave no failure recorded. Either way it checks no password.

The accounts routes (CONTRACT 3b) count in the same table, each row's `email` prefixed with
its scope ("password-reset:sam@example.com", "refresh:"), so login rows are never theirs:
- password reset and a new verification link: every request counts, MAIL_MAX_PER_CLIENT an
  hour per (email, client address) and MAIL_MAX an hour per email, account or not;
- a reset confirmation, an email verification and a refresh: bad tokens count per client
  address, TOKEN_MAX_FAILURES within TOKEN_WINDOW.
"""

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from .models import LoginFailure

MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)
ACCOUNT_MAX_FAILURES = 100
ACCOUNT_WINDOW = timedelta(hours=1)
# The width of the `client` column: an IPv6 address is at most 45 characters.
CLIENT_MAX_LENGTH = 64
# The width of the `email` column, which holds the other scopes' keys too.
KEY_MAX_LENGTH = 254
# Requests that mail a link (password reset, a new verification link): every one counts,
# whether or not the email has an account.
MAIL_MAX_PER_CLIENT = 5
MAIL_MAX = 20
MAIL_WINDOW = timedelta(hours=1)
# Bad tokens (a reset link, a verification link, a refresh token): per client address.
TOKEN_MAX_FAILURES = 10
TOKEN_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Limit:
    """At most `count` attempts within `window`, per client address or from all together."""

    per_client: bool
    count: int
    window: timedelta


LOGIN_LIMITS = (
    Limit(per_client=True, count=MAX_FAILURES, window=WINDOW),
    Limit(per_client=False, count=ACCOUNT_MAX_FAILURES, window=ACCOUNT_WINDOW),
)
MAIL_LIMITS = (
    Limit(per_client=True, count=MAIL_MAX_PER_CLIENT, window=MAIL_WINDOW),
    Limit(per_client=False, count=MAIL_MAX, window=MAIL_WINDOW),
)
TOKEN_LIMITS = (Limit(per_client=True, count=TOKEN_MAX_FAILURES, window=TOKEN_WINDOW),)


def reserve(email: str, client: str) -> int:
    """Record an attempt before its password is checked.

    0 when the password may be checked (the row stays, as the failure record until `succeeded`
    removes it); otherwise the seconds to wait, and the attempt is withdrawn.
    """
    return _reserve(email, client, LOGIN_LIMITS)[0]


def reserve_mail(scope: str, email: str, client: str) -> int:
    """Record a request that mails a link (`scope`: "password-reset", "verify-email") for the
    canonical `email`, whether or not an account has it: 0 to go on, or the seconds to wait.
    Every request counts, for the hour, per (email, client address) and per email."""
    return _reserve(scoped_key(scope, email), client, MAIL_LIMITS)[0]


def reserve_token_check(scope: str, client: str) -> tuple[int, int]:
    """Record a token check (`scope`: "password-reset-confirm", "verify-email", "refresh")
    before it is made: (0, the attempt's id) to go on, the row staying as a failure unless
    `token_accepted(id)` removes it; or (the seconds to wait, 0)."""
    return _reserve(scoped_key(scope, ""), client, TOKEN_LIMITS)


def token_accepted(attempt: int) -> None:
    """The token was good: its attempt is no failure. The client's earlier failures stay."""
    LoginFailure.objects.filter(pk=attempt).delete()


def scoped_key(scope: str, email: str) -> str:
    """The `email` column's value for another scope than login: the scope, a colon, the email
    (its SHA-256 when that would not fit the column)."""
    key = f"{scope}:{email}"
    if len(key) > KEY_MAX_LENGTH:
        key = f"{scope}:sha256:{hashlib.sha256(email.encode()).hexdigest()}"
    return key


def _reserve(key: str, client: str, limits: Sequence[Limit]) -> tuple[int, int]:
    """Write the attempt (committed at once), then count: (0, its id) within `limits`, else
    (the seconds to wait, 0) with the attempt withdrawn, unless every attempt counted against
    it came after it (see the module's docstring)."""
    client = client[:CLIENT_MAX_LENGTH]
    now = timezone.now()
    longest = max(limit.window for limit in limits)
    LoginFailure.objects.filter(email=key, failed_at__lte=now - longest).delete()
    # Outside a transaction, create() commits at once: visible to every other worker from here.
    attempt = LoginFailure.objects.create(email=key, client=client, failed_at=now)
    others = LoginFailure.objects.filter(email=key).exclude(pk=attempt.pk)
    counted = [
        (others.filter(client=client) if limit.per_client else others, limit) for limit in limits
    ]
    wait = max(_seconds_over(rows, limit.count, limit.window, now) for rows, limit in counted)
    if wait:
        if any(
            _seconds_over(rows.filter(pk__lt=attempt.pk), limit.count, limit.window, now)
            for rows, limit in counted
        ):
            attempt.delete()
        return wait, 0
    return 0, attempt.pk


def succeeded(email: str, client: str) -> None:
    """The right password: this client starts afresh (other clients' failures still count)."""
    LoginFailure.objects.filter(email=email, client=client[:CLIENT_MAX_LENGTH]).delete()


def _seconds_over(
    attempts: QuerySet[LoginFailure], limit: int, window: timedelta, now: datetime
) -> int:
    """0 while fewer than `limit` of `attempts` fall in `window`; otherwise the seconds until
    the oldest of the newest `limit` leaves it, when one more attempt fits (at least 1)."""
    newest = attempts.filter(failed_at__gt=now - window).order_by("-failed_at")
    for failed_at in newest.values_list("failed_at", flat=True)[limit - 1 : limit]:
        return max(1, math.ceil((failed_at + window - now).total_seconds()))
    return 0
