"""The project's users, and what they need to log in: the login attempts that throttle guessing,
each user's `Account` (email verification, token version) and each refresh token's row.

`User` is the project's own model, as Django advises for every project: change it as the
product needs, with a migration. It starts as Django's `auth.User`, in the same table, so a
project from before it kept every user (README, "Users")."""

from typing import cast

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    """Django's user: username, email, names, password, staff and superuser flags, groups and
    permissions. The API logs in with the email, stored in its canonical form (emails.py,
    signals.py); the admin with the username, which the API sets to the email."""

    # auth_user's own key: an integer, as Django's `auth.User` made it.
    id = models.AutoField(primary_key=True, verbose_name="ID")

    class Meta(AbstractUser.Meta):
        db_table = "auth_user"


class LoginFailure(models.Model):
    """One login attempt for one account from one client address: reserved before the password
    is checked, and kept as the failure record when it was wrong (throttle.py). A table rather
    than process memory, so every worker process (and every host) counts the same attempts."""

    email = models.CharField(max_length=254, db_index=True)
    # The client's address (hardening.client_ip); "" for rows from before it was recorded.
    client = models.CharField(max_length=64, default="", blank=True)
    failed_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = (
            models.Index(fields=["email", "client", "failed_at"], name="users_login_pair_idx"),
        )

    def __str__(self) -> str:
        return f"{self.email} from {self.client or '?'} at {self.failed_at:%Y-%m-%d %H:%M:%S}"


class Account(models.Model):
    """What the API keeps about a user's login: one row per user (signals.py makes it, for
    every way a user appears). A table of its own, made when users were still `auth.User`.

    `email_verified_at` is when the user proved they read the address (null: not yet);
    `token_version` goes up at every password change, and an access or refresh token whose
    `ver` claim is older is refused (authentication.py, tokens.py).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="account"
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    token_version = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"account of user {self.user_id}"

    @classmethod
    def of(cls, user: AbstractBaseUser) -> "Account":
        """The user's account (kept on the user object once read); made, unverified, for a
        user that has none, such as one written by `bulk_create` or a fixture, which send no
        signal."""
        try:
            return cast(Account, user.account)  # type: ignore[attr-defined]
        except cls.DoesNotExist:
            account, _ = cls.objects.get_or_create(user_id=user.pk)
            user.account = account  # type: ignore[attr-defined]
            return account

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class RefreshToken(models.Model):
    """One issued refresh token (tokens.py): a SHA-256 of its `jti` claim, never the token.

    A refresh marks the row used and issues a new token in the same family; a used row
    presented again means the token was copied, and every row of its family is revoked.
    """

    jti_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="refresh_tokens"
    )
    family = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"refresh token of user {self.user_id}, family {self.family[:8]}"

    @classmethod
    def revoke_all(cls, user_pk: int) -> None:
        """Every refresh token of the user (a password change)."""
        cls.objects.filter(user_id=user_pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
