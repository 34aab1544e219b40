"""Passwords (Argon2id via pwdlib) and access tokens (HS256 JWTs via PyJWT).

`CurrentUser` is the dependency that guards a route: no token, a bad or expired one, or the
token of a user who is gone or inactive is a 401 with `WWW-Authenticate: Bearer`.
"""

import hashlib
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from ..config import PROJECT_ROOT, get_settings
from ..db import SessionDep
from .models import User

ALGORITHM = "HS256"
# The largest id an INTEGER column holds: a bigger `sub` cannot name a user.
MAX_ID = 2**31 - 1

password_hash = PasswordHash((Argon2Hasher(),))
# tokenUrl makes the docs page's "Authorize" button log in with the OAuth2 password flow.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token")


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


def create_access_token(user_id: int) -> tuple[str, int]:
    """A signed token naming the user (`sub`), and its lifetime in seconds."""
    lifetime = timedelta(minutes=get_settings().access_token_minutes)
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, signing_key(), algorithm=ALGORITHM), int(lifetime.total_seconds())


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


async def current_user(token: Annotated[str, Depends(oauth2_scheme)], session: SessionDep) -> User:
    try:
        claims = jwt.decode(
            token, signing_key(), algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
        user_id = int(claims["sub"])
    except (jwt.InvalidTokenError, ValueError):
        raise unauthorized("The token is invalid or has expired; log in again.") from None
    user = await session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if user is None or not user.is_active:
        raise unauthorized("The token's user no longer exists or is inactive.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
