"""Flask's signed-cookie sessions, with the signer built once instead of on every request.

Flask builds the session's signing serializer for each request, whether or not the request
uses the session (this API does not: it authenticates with headers). The serializer depends
only on SECRET_KEY and SECRET_KEY_FALLBACKS, so it is kept until they change.
"""

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._keys: tuple[Any, ...] | None = None
        self._serializer: URLSafeTimedSerializer | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys != self._keys:
            self._serializer = super().get_signing_serializer(app)
            self._keys = keys
        return self._serializer
