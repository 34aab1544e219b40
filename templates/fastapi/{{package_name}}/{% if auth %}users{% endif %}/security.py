"""Passwords (Argon2id via pwdlib) and access tokens (HS256 JWTs via PyJWT).

`CurrentUser` is the dependency that guards a route. Every refusal is the same 401,
`{"detail": "Not authenticated."}`: with `WWW-Authenticate: Bearer` when no token was sent,
and `Bearer error="invalid_token"` when one was sent and refused: a bad signature, a missing
or wrong claim (`exp`, `iat` in the future, `iss`, `type`, `sub`), an expired token, the
token of a user who is gone or inactive, or one issued before the user's password last changed
(its `ver` is not the user's `token_version`; a token without `ver`, from before versions
existed, counts as version 0).

The other tokens (refresh, password reset, email verification) are in tokens.py; they share
`decode`, which refuses a token of another type than the one asked for.
"""

import hashlib
import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from ..config import PROJECT_ROOT, TOKEN_ISSUER, get_settings
from ..db import SessionDep
from .models import User

ALGORITHM = "HS256"
# Which token this is: a token of another type (a refresh token, say) never opens a route.
ACCESS = "access"
# Every token carries these; PyJWT refuses one that lacks any.
REQUIRED_CLAIMS = ["exp", "iat", "iss", "sub", "type"]
# The version of a token issued before tokens carried one (`ver`).
FIRST_VERSION = 0
# The largest id an INTEGER column holds: a bigger `sub` cannot name a user.
MAX_ID = 2**31 - 1
# `sub` is a user id written in decimal digits, and nothing else ("007", "+7", " 7", "7_0"
# would all pass int()).
SUBJECT = re.compile(r"[1-9][0-9]{0,9}")
# Far more than any token of this app takes: a longer one is refused unread.
MAX_TOKEN_LENGTH = 4096
NOT_AUTHENTICATED = "Not authenticated."

password_hash = PasswordHash((Argon2Hasher(),))
# tokenUrl makes the docs page's "Authorize" button log in with the OAuth2 password flow.
# auto_error=False: current_user answers a missing token itself, with the one 401 body.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


async def hash_password(password: str) -> str:
    # Argon2 is slow on purpose: run it off the event loop.
    return await run_in_threadpool(password_hash.hash, password)


@lru_cache
def _unknown_user_hash() -> str:
    return password_hash.hash("no such user: hashed so the answer takes as long")


async def verify_password(password: str, hashed: str | None) -> bool:
    """Check `password`; with no hash (unknown email) spend the same time and say no."""
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        return False
    ok = await run_in_threadpool(password_hash.verify, password, hashed or _unknown_user_hash())
    return ok and hashed is not None


def signing_key() -> str:
    settings = get_settings()
    if settings.secret_key:
        return settings.secret_key
    # DEBUG only (the app refuses to start without SECRET_KEY otherwise): a stable key per
    # checkout, so tokens survive a reload during development.
    return hashlib.sha256(f"development key for {PROJECT_ROOT}".encode()).hexdigest()


def encode(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, signing_key(), algorithm=ALGORITHM)


def create_access_token(user_id: int, version: int = FIRST_VERSION) -> tuple[str, int]:
    """A signed token naming the user (`sub`) and their token version (`ver`), and its
    lifetime in seconds."""
    lifetime = timedelta(minutes=get_settings().access_token_minutes)
    now = datetime.now(UTC)
    claims = {
        "iss": TOKEN_ISSUER,
        "sub": str(user_id),
        "type": ACCESS,
        "ver": version,
        "iat": now,
        "exp": now + lifetime,
    }
    return encode(claims), int(lifetime.total_seconds())


def decode(token: str, token_type: str, required: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The claims of a token of this app of `token_type`, with a valid `sub`; None for any
    other token, expired, forged or malformed."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    try:
        # Also refuses an `iat` in the future and a `sub` that is not a string.
        claims: dict[str, Any] = jwt.decode(
            token,
            signing_key(),
            algorithms=[ALGORITHM],
            issuer=TOKEN_ISSUER,
            options={"require": [*REQUIRED_CLAIMS, *required]},
        )
    except jwt.InvalidTokenError:
        return None
    subject = claims["sub"]
    if claims["type"] != token_type or not isinstance(subject, str):
        return None
    if not SUBJECT.fullmatch(subject) or int(subject) > MAX_ID:
        return None
    return claims


def version_of(claims: dict[str, Any]) -> int | None:
    """The token version a token was issued under; None when `ver` is not a whole number."""
    version = claims.get("ver", FIRST_VERSION)
    return version if type(version) is int else None


def not_authenticated(challenge: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=NOT_AUTHENTICATED,
        headers={"WWW-Authenticate": challenge},
    )


async def current_user(
    token: Annotated[str | None, Depends(oauth2_scheme)], session: SessionDep
) -> User:
    if not token:
        raise not_authenticated("Bearer")
    claims = decode(token, ACCESS)
    user = await session.get(User, int(claims["sub"])) if claims else None
    if (
        claims is None
        or user is None
        or not user.is_active
        or version_of(claims) != user.token_version
    ):
        raise not_authenticated('Bearer error="invalid_token"')
    return user


CurrentUser = Annotated[User, Depends(current_user)]
