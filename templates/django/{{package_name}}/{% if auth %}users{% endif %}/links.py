"""The tokens in the links that mails carry: `<uidb64>.<token>`, URL-safe as they are.

Both are Django's `PasswordResetTokenGenerator`: stateless, signed with SECRET_KEY, dated.
- A password reset token lives PASSWORD_RESET_TIMEOUT (PASSWORD_RESET_MINUTES) and is bound
  to the password hash (and the last login, and the email): it dies on use and on any later
  password change.
- An email verification token lives VERIFY_EMAIL_DAYS and is bound to the email it was sent
  to and to the user being unverified: it dies on use, and when the email changes.
"""

from datetime import timedelta

from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from .authentication import user_id
from .models import Account

VERIFY_EMAIL_DAYS = 3
# Longer than any token these make: refused before any work.
MAX_TOKEN_LENGTH = 256


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """A reset token generator of its own kind (`key_salt`), whose hash binds the email and
    whether it is verified yet, and whose tokens live VERIFY_EMAIL_DAYS."""

    key_salt = "users.links.EmailVerificationTokenGenerator"
    lifetime = timedelta(days=VERIFY_EMAIL_DAYS)

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        verified = Account.of(user).email_verified
        return f"verify-email:{user.pk}:{user.email}:{verified}:{timestamp}"

    def check_token(self, user: User | None, token: str | None) -> bool:
        # PasswordResetTokenGenerator.check_token, with this lifetime instead of
        # PASSWORD_RESET_TIMEOUT.
        if not (user and token) or token.count("-") != 1:
            return False
        timestamp_b36 = token.split("-")[0]
        try:
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        matches = any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        age = self._num_seconds(self._now()) - timestamp
        return matches and 0 <= age <= self.lifetime.total_seconds()


verification_token_generator = EmailVerificationTokenGenerator()


def make_reset_token(user: User) -> str:
    return _link_token(user, default_token_generator)


def make_verification_token(user: User) -> str:
    return _link_token(user, verification_token_generator)


def reset_token_user(token: str) -> User | None:
    """The active user a password reset token is valid for, if any."""
    return _token_user(token, default_token_generator)


def verification_token_user(token: str) -> User | None:
    """The active user an email verification token is valid for, if any."""
    return _token_user(token, verification_token_generator)


def _link_token(user: User, generator: PasswordResetTokenGenerator) -> str:
    return f"{urlsafe_base64_encode(force_bytes(user.pk))}.{generator.make_token(user)}"


def _token_user(token: str, generator: PasswordResetTokenGenerator) -> User | None:
    if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        return None
    uidb64, user_token = token.split(".")
    try:
        pk = user_id(urlsafe_base64_decode(uidb64).decode("ascii"))
    except ValueError:  # not base64, or not ASCII
        return None
    user = None if pk is None else User._default_manager.filter(pk=pk, is_active=True).first()
    if user is None or not generator.check_token(user, user_token):
        return None
    return user
