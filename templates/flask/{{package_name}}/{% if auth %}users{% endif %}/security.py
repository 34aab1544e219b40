"""Passwords (Argon2id via pwdlib), access and refresh tokens (HS256 JWTs via
flask-jwt-extended).

A protected view is wrapped in `jwt_required()`. An access token must carry `exp`, `iat` (not
in the future), `iss` (TOKEN_ISSUER) and `"type": "access"`, its `sub` must name an active
user, and its `ver` must be the user's token version (no `ver`, from before versions: 0).
Anything else is a 401 with one body, `{"detail": "Not authenticated."}`, as in the
other templates: `WWW-Authenticate: Bearer` when no token came, `Bearer error="invalid_token"`
when one came and was refused.

A refresh token (tokens.py) is checked the same way, as `"type": "refresh"`, and also against
its row in refresh_tokens: the token-in-blocklist loader below refuses one whose row is
missing, used, revoked or expired. Each type is refused where the other is expected.
"""

import hashlib
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from flask import Flask, Response, jsonify
from flask_jwt_extended import JWTManager
from flask_jwt_extended.config import config
from jwt.exceptions import ImmatureSignatureError, InvalidTokenError, MissingRequiredClaimError
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select, update

from ..extensions import db
from .models import RefreshToken, User

# The largest id an INTEGER column holds: a bigger `sub` cannot name a user.
MAX_ID = 2**31 - 1
# The security scheme's name in the OpenAPI document.
SCHEME = "OAuth2PasswordBearer"
# flask-jwt-extended checks `exp` and `iat` only when a token has them, and takes a token
# without `type` for an access token: these must be there. (`iss` it requires itself.)
REQUIRED_CLAIMS = ("exp", "iat", "sub", "type")
# The only types a bearer or refresh token may have: the mail links' tokens (tokens.py) are
# signed with the same key, and flask-jwt-extended would take any type but "refresh" for access.
TOKEN_TYPES = ("access", "refresh")
NOT_AUTHENTICATED = {"detail": "Not authenticated."}

jwt = JWTManager()
password_hash = PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    return password_hash.hash(password)


@lru_cache
def _unknown_user_hash() -> str:
    return password_hash.hash("no such user: hashed so the answer takes as long")


def verify_password(password: str, hashed: str | None) -> bool:
    """Check `password`; with no hash (unknown email) spend the same time and say no."""
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return password_hash.verify(password, hashed or _unknown_user_hash()) and hashed is not None


def no_token(_reason: str) -> tuple[Response, int, dict[str, str]]:
    return jsonify(NOT_AUTHENTICATED), 401, {"WWW-Authenticate": "Bearer"}


def refused(*_details: Any) -> tuple[Response, int, dict[str, str]]:
    return jsonify(NOT_AUTHENTICATED), 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def decode_key(_header: dict[str, Any], claims: dict[str, Any]) -> str:
    """The key that checks a token's signature, for a token that has every required claim.

    flask-jwt-extended asks for the key with the claims as sent, before it checks the
    signature; a token refused here is refused as if its signature were wrong.
    """
    for claim in REQUIRED_CLAIMS:
        if claim not in claims:
            raise MissingRequiredClaimError(claim)
    if claims["type"] not in TOKEN_TYPES:
        raise InvalidTokenError("Neither an access nor a refresh token.")
    # PyJWT refuses an `iat` in the future from version 2.10 on; say so whatever the version.
    if isinstance(claims["iat"], int | float) and claims["iat"] > datetime.now(UTC).timestamp():
        raise ImmatureSignatureError("The token is not yet valid (iat).")
    key: str = config.decode_key
    return key


def load_user(_header: dict[str, Any], claims: dict[str, Any]) -> User | None:
    """The active user whose id is `sub`, a string of digits, and whose token version is the
    token's `ver`; None refuses the token."""
    sub = claims["sub"]
    if not (isinstance(sub, str) and sub.isascii() and sub.isdigit() and sub == str(int(sub))):
        return None
    user_id = int(sub)
    user = db.session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if user is None or not user.is_active:
        return None
    # Tokens from before versions have no `ver`: they count as version 0.
    version = claims.get("ver", 0)
    if type(version) is not int or version != user.token_version:
        return None
    return user


def jti_hash(jti: str) -> str:
    """What refresh_tokens keeps of a refresh token: the SHA-256 of its `jti`."""
    return hashlib.sha256(jti.encode()).hexdigest()


def refresh_token_row(claims: dict[str, Any]) -> RefreshToken | None:
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        return None
    return db.session.execute(
        select(RefreshToken).where(RefreshToken.jti_hash == jti_hash(jti))
    ).scalar_one_or_none()


def is_revoked(_header: dict[str, Any], claims: dict[str, Any]) -> bool:
    """flask-jwt-extended's blocklist check: a refresh token is live only while its row is
    there, neither used nor revoked, and not expired. Access tokens have no rows (their `ver`
    is what a password change moves: `load_user`)."""
    if claims["type"] != "refresh":
        return False
    row = refresh_token_row(claims)
    if row is None or row.used_at is not None or row.revoked_at is not None:
        return True
    return aware(row.expires_at) <= datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def set_password(user: User, password: str) -> None:
    """A new password: every access and refresh token issued before stops working (the token
    version moves on, the refresh tokens are revoked), and so does every reset link (they are
    bound to the old hash). The caller commits."""
    user.password_hash = hash_password(password)
    user.token_version = (user.token_version or 0) + 1
    if user.id is not None:
        db.session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )


def init_app(app: Flask) -> None:
    jwt.init_app(app)
    jwt.decode_key_loader(decode_key)
    jwt.user_lookup_loader(load_user)
    jwt.token_in_blocklist_loader(is_revoked)
    jwt.unauthorized_loader(no_token)
    for loader in (
        jwt.invalid_token_loader,
        jwt.expired_token_loader,
        jwt.user_lookup_error_loader,
        jwt.token_verification_failed_loader,
        jwt.revoked_token_loader,
        jwt.needs_fresh_token_loader,
    ):
        loader(refused)
