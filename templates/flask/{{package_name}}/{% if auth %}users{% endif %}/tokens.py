"""The tokens the accounts routes hand out: access and refresh pairs, and the signed tokens of
the links in mails.

- A login starts a family of refresh tokens (`fam`, random); each refresh marks its token used
  and issues the next of the family. refresh_tokens keeps a row per token, by the SHA-256 of
  its `jti` only. A used token presented again means someone holds a copy: the whole family is
  revoked (`revoke_family`).
- A password reset token is a JWT of type `password-reset` carrying an HMAC of the user's
  current password hash: it dies when the password changes, its own use included.
- An email verification token is a JWT of type `verify-email` carrying the address it was sent
  to: it dies once the user is verified or has another address.
Every token is signed with SECRET_KEY and names the project (`iss`); the mail tokens' types
are refused as bearer tokens (security.py).
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from sqlalchemy import delete, select, update

from ..extensions import db
from .models import RefreshToken, User
from .security import MAX_ID, jti_hash

RESET = "password-reset"
VERIFY = "verify-email"
VERIFY_EMAIL_DAYS = 3


def token_response(user: User, family: str | None = None) -> dict[str, Any]:
    """A new access token and a new refresh token (of `family`, or of a new one) for `user`."""
    now = datetime.now(UTC)
    access_lifetime: timedelta = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    refresh_lifetime: timedelta = current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
    family = family or secrets.token_urlsafe(24)
    jti = secrets.token_urlsafe(32)
    claims = {"ver": user.token_version}
    refresh = create_refresh_token(
        identity=str(user.id), additional_claims={**claims, "jti": jti, "fam": family}
    )
    # Rows past their expiry refresh nothing: the user's go as a new one comes.
    db.session.execute(
        delete(RefreshToken).where(RefreshToken.user_id == user.id, RefreshToken.expires_at < now)
    )
    db.session.add(
        RefreshToken(
            jti_hash=jti_hash(jti),
            user_id=user.id,
            family=family,
            expires_at=now + refresh_lifetime,
            created_at=now,
        )
    )
    db.session.commit()
    return {
        "access_token": create_access_token(identity=str(user.id), additional_claims=claims),
        "token_type": "bearer",
        "expires_in": int(access_lifetime.total_seconds()),
        "refresh_token": refresh,
        "refresh_expires_in": int(refresh_lifetime.total_seconds()),
    }


def mark_used(claims: dict[str, Any]) -> bool:
    """Mark a live refresh token used; False when another request did first (a reuse)."""
    result = db.session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.jti_hash == jti_hash(claims["jti"]),
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(used_at=datetime.now(UTC))
    )
    db.session.commit()
    return bool(getattr(result, "rowcount", 0))


def revoke_family(family: Any) -> None:
    if isinstance(family, str):
        db.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        db.session.commit()


def reused(claims: dict[str, Any]) -> bool:
    """Whether these refresh token claims are of a token already rotated (used)."""
    jti = claims.get("jti")
    if not isinstance(jti, str):
        return False
    row = db.session.execute(
        select(RefreshToken).where(RefreshToken.jti_hash == jti_hash(jti))
    ).scalar_one_or_none()
    return row is not None and row.used_at is not None


def refresh_claims(token: str) -> dict[str, Any] | None:
    """The claims of an unexpired refresh token of this project (signature, issuer and claims
    checked, not its row), else None."""
    try:
        claims = decode_token(token)
    except (JWTExtendedException, jwt.PyJWTError, ValueError, TypeError):
        return None
    return claims if claims.get("type") == "refresh" else None


def revoke(claims: dict[str, Any]) -> None:
    jti = claims.get("jti")
    if isinstance(jti, str):
        db.session.execute(
            update(RefreshToken)
            .where(RefreshToken.jti_hash == jti_hash(jti), RefreshToken.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        db.session.commit()


def _password_digest(password_hash: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, password_hash.encode(), hashlib.sha256).hexdigest()


def _signed(claims: dict[str, Any], lifetime: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {
        **claims,
        "iat": now,
        "exp": now + lifetime,
        "iss": current_app.config["TOKEN_ISSUER"],
    }
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm="HS256")


def _claims(token: str, kind: str) -> dict[str, Any] | None:
    """The claims of a valid, unexpired link token of type `kind`, else None."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            current_app.config["SECRET_KEY"],
            algorithms=["HS256"],
            issuer=current_app.config["TOKEN_ISSUER"],
            options={"require": ["exp", "iat", "iss", "sub", "type"]},
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    return claims if claims["type"] == kind else None


def _user(claims: dict[str, Any] | None) -> User | None:
    sub = claims.get("sub") if claims else None
    if not (isinstance(sub, str) and sub.isascii() and sub.isdigit() and sub == str(int(sub))):
        return None
    return db.session.get(User, int(sub)) if 0 < int(sub) <= MAX_ID else None


def reset_token(user: User) -> str:
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    claims = {"type": RESET, "sub": str(user.id), "pwd": _password_digest(user.password_hash)}
    return _signed(claims, timedelta(minutes=minutes))


def reset_token_user(token: str) -> User | None:
    """The active user whose reset token this is, while their password is the one it was
    issued for."""
    claims = _claims(token, RESET)
    user = _user(claims)
    if user is None or claims is None or not user.is_active:
        return None
    digest = claims.get("pwd")
    if not isinstance(digest, str):
        return None
    return user if hmac.compare_digest(digest, _password_digest(user.password_hash)) else None


def verify_token(user: User) -> str:
    claims = {"type": VERIFY, "sub": str(user.id), "email": user.email}
    return _signed(claims, timedelta(days=VERIFY_EMAIL_DAYS))


def verify_token_user(token: str) -> User | None:
    """The unverified user whose verification token this is, still at the address it was
    sent to."""
    claims = _claims(token, VERIFY)
    user = _user(claims)
    if user is None or claims is None or user.email_verified_at is not None:
        return None
    return user if claims.get("email") == user.email else None
