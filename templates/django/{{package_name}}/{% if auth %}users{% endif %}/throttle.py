"""Failed logins per account: after MAX_FAILURES within WINDOW, logins wait (429).

The failures live in the `users_loginfailure` table, so every worker process and every host
counts the same attempts, with no cache server to run. A successful login clears the count.
"""

import math
from datetime import timedelta

from django.utils import timezone

from .models import LoginFailure

MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)


def seconds_to_wait(email: str) -> int:
    """0 when the account may try to log in; otherwise the seconds until it may."""
    now = timezone.now()
    failures = list(
        LoginFailure.objects.filter(email=email, failed_at__gt=now - WINDOW)
        .order_by("-failed_at")
        .values_list("failed_at", flat=True)[:MAX_FAILURES]
    )
    if len(failures) < MAX_FAILURES:
        return 0
    # Once the oldest of the last MAX_FAILURES leaves the window, one more try is allowed.
    return max(1, math.ceil((failures[-1] + WINDOW - now).total_seconds()))


def record_failure(email: str) -> None:
    now = timezone.now()
    LoginFailure.objects.filter(email=email, failed_at__lte=now - WINDOW).delete()
    LoginFailure.objects.create(email=email, failed_at=now)


def clear_failures(email: str) -> None:
    LoginFailure.objects.filter(email=email).delete()
