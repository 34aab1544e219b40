"""Request and response shapes of the user endpoints. No password or hash ever goes out."""

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow import validate

from ..items.schemas import UTCDateTime, storable
from .emails import canonical_email, is_plain_ascii
from .passwords import password_problems


def plain_ascii(email: str) -> None:
    if not is_plain_ascii(email):
        raise ma.ValidationError(
            "Not a valid email address: ASCII only (an international domain in its xn-- form)."
        )


class EmailSchema(ma.Schema):
    """An email, in its canonical form (emails.py): POST /api/auth/password-reset and
    POST /api/auth/verify-email/resend take just this."""

    email = ma.fields.Email(
        required=True, validate=[validate.Length(max=254), storable, plain_ascii]
    )

    @ma.pre_load
    def email_in_canonical_form(self, data: Any, **kwargs: Any) -> Any:
        # Before validating: NFKC makes fullwidth letters (and the fullwidth @) plain ones.
        if isinstance(data, dict) and isinstance(data.get("email"), str):
            data = {**data, "email": canonical_email(data["email"])}
        return data


class RegistrationSchema(EmailSchema):
    """A new account (POST /api/auth/register, `flask users create`): the email in its
    canonical form (emails.py), a password the policy accepts (passwords.py)."""

    password = ma.fields.String(required=True, load_only=True)

    @ma.validates_schema(skip_on_field_errors=False)
    def acceptable_password(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Every rule the password breaks, each in its own message. The similarity rule
        compares it with the email when the email is valid."""
        if "password" in data:
            problems = password_problems(data["password"], data.get("email", ""))
            if problems:
                raise ma.ValidationError(problems, field_name="password")


class UserSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    email = ma.fields.String(dump_only=True)
    created_at = UTCDateTime(dump_only=True)


class MeSchema(UserSchema):
    email_verified = ma.fields.Boolean(
        dump_only=True, metadata={"description": "Whether the email address was verified"}
    )


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
    refresh_token = ma.fields.String(
        required=True, metadata={"description": "Exchange it at POST /api/auth/refresh"}
    )
    refresh_expires_in = ma.fields.Integer(
        required=True, metadata={"description": "Seconds until the refresh token expires"}
    )


# A token is a JWT of a few hundred characters; a much longer string is none of ours.
TOKEN: list[Callable[[str], Any]] = [validate.Length(min=1, max=4096), storable]


class RefreshTokenSchema(ma.Schema):
    refresh_token = ma.fields.String(required=True, validate=TOKEN)


class PasswordResetSchema(ma.Schema):
    """The token of a reset link and the new password (checked once the token names the
    account: the policy compares it with the email)."""

    token = ma.fields.String(required=True, validate=TOKEN)
    password = ma.fields.String(required=True, load_only=True)


class PasswordChangeSchema(ma.Schema):
    """The current password (checked like a login's) and a new one the policy accepts."""

    current_password = ma.fields.String(
        required=True, load_only=True, validate=validate.Length(max=4096)
    )
    new_password = ma.fields.String(required=True, load_only=True)


class VerifyEmailSchema(ma.Schema):
    token = ma.fields.String(required=True, validate=TOKEN)


class MessageSchema(ma.Schema):
    detail = ma.fields.String(required=True)
