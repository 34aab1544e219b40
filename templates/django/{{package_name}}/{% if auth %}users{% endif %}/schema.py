"""Describe bearer tokens in the OpenAPI document as the OAuth2 password flow, so Swagger UI's
"Authorize" button logs in with an email and password (drf-spectacular's default for
simplejwt is a plain bearer scheme, where a user would paste a token), and declare the 401 of
every operation that needs one."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from ..openapi import detail_answer
from .authentication import NOT_AUTHENTICATED, BearerAuthentication


# drf-spectacular's extension base class is untyped.
class OAuth2PasswordBearer(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = BearerAuthentication
    name = "OAuth2PasswordBearer"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        password_flow = {"scopes": {}, "tokenUrl": "/api/auth/token"}
        flows = {"password": password_flow}
        return {"type": "oauth2", "flows": flows}


def document_unauthorized(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Declare the 401 of every operation that needs a bearer token, in the document."""
    unauthorized = detail_answer(NOT_AUTHENTICATED)
    for path in result.get("paths", {}).values():
        for operation in path.values():
            requirements = operation.get("security", [])
            if any(OAuth2PasswordBearer.name in requirement for requirement in requirements):
                operation["responses"].setdefault("401", unauthorized)
    return result
