"""Bearer tokens: which ones are accepted.

An access token must carry `exp`, `iat` (not in the future), `iss` (TOKEN_ISSUER), the type
claim "access", and a `sub` that is a user id written as a string; the user must exist and be
active, and its `ver` claim (0 when it has none) the user's token version, which every
password change increments. simplejwt checks most of that (SIMPLE_JWT in settings); this
module adds the rest.
Every refusal is a 401 `{"detail": "Not authenticated."}` (errors.py) with
`WWW-Authenticate: Bearer`, plus `error="invalid_token"` when a token was sent (RFC 6750).
"""

from typing import Any

from django.contrib.auth.models import User
from rest_framework.request import Request
from rest_framework_simplejwt import tokens
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from .models import Account

NOT_AUTHENTICATED = "Not authenticated."
# The largest id a BigAutoField holds.
MAX_USER_ID = 2**63 - 1
# The user's token version when the token was made (models.Account.token_version).
VERSION_CLAIM = "ver"


class AccessToken(tokens.AccessToken):
    """simplejwt's access token, with `iat` required too: PyJWT refuses one in the future, but
    nothing refuses a token without one. It carries `ver`, the user's token version."""

    def verify(self) -> None:
        super().verify()
        if "iat" not in self.payload:
            raise TokenError("Token has no 'iat' claim")

    @classmethod
    def for_user(cls, user: Any) -> "AccessToken":
        token = super().for_user(user)
        token[VERSION_CLAIM] = Account.of(user).token_version
        return token


def token_version(token: tokens.Token) -> int | None:
    """The `ver` claim: the user's token version when the token was made; 0 for a token from
    before versions (it stays valid until it expires), None when it is not a plain integer."""
    version = token.get(VERSION_CLAIM, 0)
    return version if type(version) is int else None


def user_id(sub: Any) -> int | None:
    """The id a `sub` claim names: a string of a positive integer, written plainly."""
    if not isinstance(sub, str) or not 0 < len(sub) <= len(str(MAX_USER_ID)):
        return None
    if not (sub.isascii() and sub.isdigit()) or sub.startswith("0"):
        return None
    return int(sub) if int(sub) <= MAX_USER_ID else None


class BearerAuthentication(JWTAuthentication):
    def get_validated_token(self, raw_token: bytes) -> tokens.Token:
        token = super().get_validated_token(raw_token)
        # Any other `sub` would reach the database as an id of the wrong type (a 500).
        if user_id(token.get("sub")) is None:
            raise InvalidToken("Token contained no recognizable user identification")
        return token

    def get_user(self, validated_token: tokens.Token) -> Any:
        """simplejwt's lookup, in one query with the user's account: the user must exist and
        be active, and the token's version be theirs (a password changed since refuses it)."""
        pk = user_id(validated_token.get("sub"))
        user = User._default_manager.select_related("account").filter(pk=pk).first() if pk else None
        if user is None or not user.is_active:
            raise InvalidToken("User not found or inactive")
        if token_version(validated_token) != Account.of(user).token_version:
            raise InvalidToken("Token is from before the last password change")
        return user

    def authenticate_header(self, request: Request) -> str:
        header = self.get_header(request) or b""
        sent = header.split()[:1] == [b"Bearer"]
        return 'Bearer error="invalid_token"' if sent else "Bearer"
