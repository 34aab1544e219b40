"""The failed-login record that throttles guessing. Users themselves are Django's `auth.User`
(see docs in the README): the email is the login, stored lower-cased."""

from django.db import models


class LoginFailure(models.Model):
    """One failed login for one account. A table rather than process memory, so every worker
    process (and every host) counts the same failures."""

    email = models.CharField(max_length=254, db_index=True)
    failed_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.email} at {self.failed_at:%Y-%m-%d %H:%M:%S}"
