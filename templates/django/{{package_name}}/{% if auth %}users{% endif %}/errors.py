"""One 401 body for every refused request, whatever was wrong with its token (DRF's and
simplejwt's messages would tell a caller which check failed). Not in authentication.py: DRF
imports the authentication classes while its views module loads, and this imports that."""

from typing import Any

from rest_framework.exceptions import AuthenticationFailed, ErrorDetail, NotAuthenticated
from rest_framework.response import Response

from .. import errors
from .authentication import NOT_AUTHENTICATED


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The project's handler (errors.py), with `{"detail": "Not authenticated."}` for every
    401; its `WWW-Authenticate` header stays. REST_FRAMEWORK's EXCEPTION_HANDLER with auth."""
    if isinstance(exc, NotAuthenticated | AuthenticationFailed):
        exc.detail = ErrorDetail(NOT_AUTHENTICATED, code="not_authenticated")
    return errors.exception_handler(exc, context)
