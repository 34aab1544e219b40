"""Access and refresh tokens: issued in pairs, refresh tokens rotated and revoked.

A refresh token is simplejwt's (`"type": "refresh"`, `sub`, `exp` after REFRESH_TOKEN_DAYS,
`iat`, a random `jti`) plus `ver`, the user's token version, and `fam`, a family id kept
across rotations. The database keeps a SHA-256 of each `jti` (models.RefreshToken), never the
token: a refresh marks that row used and issues the next pair in the same family, and a used
row presented again (a copied token) revokes the whole family. simplejwt's own
`token_blacklist` app is not used: it stores whole tokens.
"""

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework_simplejwt import tokens
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.utils import datetime_from_epoch

from .authentication import VERSION_CLAIM, AccessToken, token_version, user_id
from .models import Account
from .models import RefreshToken as StoredRefreshToken

FAMILY_CLAIM = "fam"
# A longer string cannot be a refresh token of this project (they are about 400 characters).
MAX_TOKEN_LENGTH = 4096


class InvalidRefreshToken(Exception):
    """Not a live refresh token of this project; the view answers 401."""


class RefreshToken(tokens.RefreshToken):
    """simplejwt's refresh token: `iat` required, the lifetime REFRESH_TOKEN_DAYS as now set."""

    def __init__(self, token: Any = None, verify: bool = True) -> None:
        self.lifetime = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
        super().__init__(token, verify=verify)

    def verify(self) -> None:
        super().verify()
        if "iat" not in self.payload:
            raise TokenError("Token has no 'iat' claim")


def jti_hash(jti: str) -> str:
    return hashlib.sha256(jti.encode()).hexdigest()


def issue_pair(user: AbstractBaseUser, family: str | None = None) -> dict[str, Any]:
    """A new access token and refresh token for `user`, as the token endpoint answers them;
    the refresh token in `family`, or in a new family (a login)."""
    access: Any = AccessToken.for_user(user)
    refresh: Any = RefreshToken.for_user(user)
    refresh[VERSION_CLAIM] = access[VERSION_CLAIM]
    refresh[FAMILY_CLAIM] = family or secrets.token_urlsafe(16)
    # The user's expired rows go: no token of theirs can be used any more.
    StoredRefreshToken.objects.filter(user_id=user.pk, expires_at__lt=timezone.now()).delete()
    StoredRefreshToken.objects.create(
        jti_hash=jti_hash(refresh["jti"]),
        user_id=user.pk,
        family=refresh[FAMILY_CLAIM],
        expires_at=datetime_from_epoch(refresh["exp"]),
    )
    return {
        "access_token": str(access),
        "token_type": "bearer",
        "expires_in": int(access.lifetime.total_seconds()),
        "refresh_token": str(refresh),
        "refresh_expires_in": int(refresh.lifetime.total_seconds()),
    }


def _decode(raw: str) -> tuple[RefreshToken, StoredRefreshToken]:
    """The refresh token `raw` and its row: a valid signature, type, `exp`, `iat`, `sub`,
    `jti` and `fam`, and a row for that `jti`; anything else is InvalidRefreshToken."""
    if len(raw) > MAX_TOKEN_LENGTH:
        raise InvalidRefreshToken
    try:
        token = RefreshToken(raw)
    except TokenError:
        raise InvalidRefreshToken from None
    jti, family = token.get("jti"), token.get(FAMILY_CLAIM)
    owner = user_id(token.get("sub"))
    if owner is None or not isinstance(jti, str) or not isinstance(family, str):
        raise InvalidRefreshToken
    row = StoredRefreshToken.objects.filter(jti_hash=jti_hash(jti)).first()
    if row is None or row.user_id != owner or row.family != family:
        raise InvalidRefreshToken
    return token, row


def rotate(raw: str) -> dict[str, Any]:
    """The next pair for the refresh token `raw`, which is used up; a token used before
    revokes its whole family. InvalidRefreshToken for anything but a live refresh token."""
    token, row = _decode(raw)
    now = timezone.now()
    if row.revoked_at is not None or row.expires_at <= now:
        raise InvalidRefreshToken
    if row.used_at is not None:
        revoke_family(row.family)
        raise InvalidRefreshToken
    user = User._default_manager.filter(pk=row.user_id, is_active=True).first()
    if user is None or token_version(token) != Account.of(user).token_version:
        raise InvalidRefreshToken
    # Conditional, so that of two requests with one token only one rotates it; the other
    # finds it used, as a copied token would be.
    unused = StoredRefreshToken.objects.filter(
        pk=row.pk, used_at__isnull=True, revoked_at__isnull=True
    )
    if not unused.update(used_at=now):
        revoke_family(row.family)
        raise InvalidRefreshToken
    return issue_pair(user, family=row.family)


def revoke(raw: str) -> None:
    """Log out: the refresh token `raw` can no longer be used (already revoked or rotated:
    nothing to do). InvalidRefreshToken for anything that is not a refresh token of this
    project, and for an expired one (its `exp` is checked by `_decode`, its row's here)."""
    _token, row = _decode(raw)
    now = timezone.now()
    if row.expires_at <= now:
        raise InvalidRefreshToken
    StoredRefreshToken.objects.filter(pk=row.pk, revoked_at__isnull=True).update(revoked_at=now)


def revoke_family(family: str) -> None:
    StoredRefreshToken.objects.filter(family=family, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def revoke_all(user_pk: int) -> None:
    """Every refresh token of the user (a password change)."""
    StoredRefreshToken.objects.filter(user_id=user_pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
