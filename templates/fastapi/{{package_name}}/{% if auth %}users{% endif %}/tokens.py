"""The tokens besides the access token (security.py): refresh, password reset, email
verification. All are HS256 JWTs signed with SECRET_KEY, with `iss`, `sub` (the user id),
`iat`, `exp` and a `type` that keeps each to its one use.

- Refresh tokens carry the user's token version (`ver`), a random id (`jti`) and a family
  (`fam`: the login they descend from, kept across rotations). The database keeps a SHA-256
  hash of each `jti` (never the token): a token is good once, while its row is neither used,
  revoked nor expired and its `ver` is the user's. Refreshing marks the row used and hands out
  a new token of the same family; a used token presented again (a stolen copy, or the thief's
  after the owner refreshed) revokes the whole family.
- Password-reset tokens carry a keyed digest of the user's password hash as it is (`pwd`):
  the first use changes the hash, and so does any later password change, so each dies then.
- Email-verification tokens carry the address they were sent to (`email`): they are good
  while the user still has that address and is not verified yet, so once only.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..config import TOKEN_ISSUER, get_settings
from .models import RefreshToken, User
from .security import decode, encode, signing_key, version_of

REFRESH = "refresh"
PASSWORD_RESET = "password-reset"  # noqa: S105 (a token type, not a secret)
VERIFY_EMAIL = "verify-email"
# How long an email-verification link stays valid.
VERIFY_EMAIL_DAYS = 3


def _claims(user_id: int, token_type: str, lifetime: timedelta, **extra: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "iss": TOKEN_ISSUER,
        "sub": str(user_id),
        "type": token_type,
        "iat": now,
        "exp": now + lifetime,
        **extra,
    }


def jti_hash(jti: str) -> str:
    return hashlib.sha256(jti.encode()).hexdigest()


def refresh_lifetime() -> timedelta:
    return timedelta(days=get_settings().refresh_token_days)


def issue_refresh_token(
    session: AsyncSession, user: User, family: str | None = None
) -> tuple[str, int]:
    """A new refresh token for `user` (in a new family unless one is given), and its lifetime
    in seconds. Its row is added to `session`: the caller commits."""
    lifetime = refresh_lifetime()
    jti = secrets.token_urlsafe(32)
    family = family or secrets.token_urlsafe(16)
    claims = _claims(user.id, REFRESH, lifetime, ver=user.token_version, jti=jti, fam=family)
    session.add(
        RefreshToken(
            jti_hash=jti_hash(jti),
            user_id=user.id,
            family=family,
            expires_at=claims["exp"],
        )
    )
    return encode(claims), int(lifetime.total_seconds())


def refresh_claims(token: str) -> dict[str, Any] | None:
    claims = decode(token, REFRESH, ("jti", "fam", "ver"))
    if claims is None or not isinstance(claims["jti"], str) or not isinstance(claims["fam"], str):
        return None
    return claims


async def rotate(session: AsyncSession, token: str) -> tuple[User, str] | None:
    """Use a refresh token: its user and family when it is live (its row is then marked used,
    uncommitted); None otherwise. A token already used revokes its family (committed)."""
    claims = refresh_claims(token)
    if claims is None:
        return None
    now = datetime.now(UTC)
    digest = jti_hash(claims["jti"])
    # One statement: of two requests with the same token, exactly one marks it used.
    used = await session.scalar(
        update(RefreshToken)
        .where(
            RefreshToken.jti_hash == digest,
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(RefreshToken.id)
    )
    if used is None:
        row = await session.scalar(select(RefreshToken).where(RefreshToken.jti_hash == digest))
        if row is not None and row.used_at is not None:
            # Reuse: whoever holds the family's newest token may be a thief. End them all.
            await revoke_family(session, row.family)
            await session.commit()
        return None
    user = await session.get(User, int(claims["sub"]))
    if user is None or not user.is_active or version_of(claims) != user.token_version:
        await session.rollback()
        return None
    return user, claims["fam"]


async def revoke_family(session: AsyncSession, family: str) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


async def log_out(session: AsyncSession, token: str) -> bool:
    """Revoke the refresh token's family (its login): False when it is no refresh token of
    this app (expired, forged, malformed or of another type). One already revoked or used
    (rotated) but not expired is True: logging out twice is no error."""
    claims = refresh_claims(token)
    if claims is None:  # an expired token included: PyJWT checks `exp`
        return False
    found = (
        await session.execute(
            select(RefreshToken.family, RefreshToken.expires_at > datetime.now(UTC)).where(
                RefreshToken.jti_hash == jti_hash(claims["jti"])
            )
        )
    ).first()
    if found is not None:
        family, live = found
        if not live:  # the row's own expiry counts too, as for refresh
            return False
        await revoke_family(session, family)
        await session.commit()
    return True


async def revoke_all(session: AsyncSession, user: User) -> None:
    """End every token `user` holds (uncommitted): their version moves on, which every earlier
    access and refresh token carries, and their refresh tokens are revoked."""
    user.token_version += 1
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


def _password_digest(password_hash: str) -> str:
    """A keyed digest of the password hash (the hash itself never goes into a token)."""
    key = hmac.new(signing_key().encode(), b"password-reset tokens", hashlib.sha256).digest()
    return hmac.new(key, password_hash.encode(), hashlib.sha256).hexdigest()


def password_reset_token(user: User) -> str:
    lifetime = timedelta(minutes=get_settings().password_reset_minutes)
    return encode(
        _claims(user.id, PASSWORD_RESET, lifetime, pwd=_password_digest(user.password_hash))
    )


async def user_for_password_reset(session: AsyncSession, token: str) -> User | None:
    """The active user a live password-reset token names; None for any other token."""
    claims = decode(token, PASSWORD_RESET, ("pwd",))
    digest = claims["pwd"] if claims else None
    if claims is None or not isinstance(digest, str) or not digest.isascii():
        return None
    user = await session.get(User, int(claims["sub"]))
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(digest, _password_digest(user.password_hash)):
        return None
    return user


def verify_email_token(user: User) -> str:
    lifetime = timedelta(days=VERIFY_EMAIL_DAYS)
    return encode(_claims(user.id, VERIFY_EMAIL, lifetime, email=user.email))


async def user_to_verify(session: AsyncSession, token: str) -> User | None:
    """The unverified active user a live verification token was sent to; None otherwise."""
    claims = decode(token, VERIFY_EMAIL, ("email",))
    if claims is None:
        return None
    user = await session.get(User, int(claims["sub"]))
    if user is None or not user.is_active or user.email_verified_at is not None:
        return None
    return user if claims["email"] == user.email else None
