"""Passwords (Argon2id via pwdlib) and access tokens (HS256 JWTs via flask-jwt-extended).

A protected view is wrapped in `jwt_required()`. No token, a bad or expired one, or the token
of a user who is gone or inactive is a 401 with `WWW-Authenticate: Bearer`.
"""

from functools import lru_cache
from typing import Any

from flask import Flask, Response, jsonify
from flask_jwt_extended import JWTManager
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from ..extensions import db
from .models import User

# The largest id an INTEGER column holds: a bigger `sub` cannot name a user.
MAX_ID = 2**31 - 1
# The security scheme's name in the OpenAPI document.
SCHEME = "OAuth2PasswordBearer"

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


def unauthorized(message: str) -> tuple[Response, int, dict[str, str]]:
    """The 401 every failed token check answers, in the app's error shape."""
    body = jsonify(code=401, status="Unauthorized", message=message)
    return body, 401, {"WWW-Authenticate": "Bearer"}


@jwt.user_lookup_loader
def load_user(_header: dict[str, Any], claims: dict[str, Any]) -> User | None:
    try:
        user_id = int(claims["sub"])
    except (KeyError, TypeError, ValueError):
        return None
    user = db.session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    return user if user is not None and user.is_active else None


@jwt.user_lookup_error_loader
def user_gone(_header: dict[str, Any], _claims: dict[str, Any]) -> Any:
    return unauthorized("The token's user no longer exists or is inactive.")


@jwt.unauthorized_loader
def missing_token(_reason: str) -> Any:
    return unauthorized("Send a bearer token: POST /api/auth/token to get one.")


@jwt.invalid_token_loader
def invalid_token(_reason: str) -> Any:
    return unauthorized("The token is invalid or has expired; log in again.")


@jwt.expired_token_loader
def expired_token(_header: dict[str, Any], _claims: dict[str, Any]) -> Any:
    return unauthorized("The token is invalid or has expired; log in again.")


def init_app(app: Flask) -> None:
    jwt.init_app(app)
