"""Request and response shapes of the user endpoints. No password or hash ever goes out."""

from typing import Any

import marshmallow as ma
from marshmallow import validate

from ..items.schemas import UTCDateTime, storable


def not_all_digits(password: str) -> None:
    if password.isdigit():
        raise ma.ValidationError("Must not be all digits.")


class RegistrationSchema(ma.Schema):
    email = ma.fields.Email(required=True, validate=[validate.Length(max=254), storable])
    password = ma.fields.String(
        required=True,
        load_only=True,
        validate=[validate.Length(min=8, max=128), not_all_digits, storable],
    )

    @ma.post_load
    def lower_case_email(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {**data, "email": data["email"].strip().lower()}


class UserSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    email = ma.fields.String(dump_only=True)
    created_at = UTCDateTime(dump_only=True)


class LoginFormSchema(ma.Schema):
    """The OAuth2 password flow's form: `username` is the email. Other fields the flow may
    send (grant_type, scope, client_id) are ignored."""

    class Meta:
        unknown = ma.EXCLUDE

    username = ma.fields.String(required=True)
    password = ma.fields.String(required=True, load_only=True)


class TokenSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True, metadata={"example": "bearer"})
    expires_in = ma.fields.Integer(
        required=True, metadata={"description": "Seconds until the token expires"}
    )
