"""Request and response bodies of the user endpoints. No password or hash ever goes out."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .emails import canonical_email, is_plain_ascii
from .passwords import MAX_LENGTH, MIN_LENGTH, password_problems

# An address is at most 254 characters (RFC 5321's path limit, email-validator's own), as in
# the Flask and Django templates. Checked before email-validator, whose parse of a 1 MiB body's
# worth of address would cost a fraction of a second of CPU per request.
MAX_EMAIL_LENGTH = 254


def valid_email(raw: str) -> str:
    """The canonical form (emails.py) of a well-formed ASCII address, or a 422 on `email`.

    email-validator checks the syntax only; its own normalised form is not kept, since it
    would turn an `xn--` domain back into Unicode letters."""
    email = canonical_email(raw)
    if not is_plain_ascii(email):
        raise PydanticCustomError(
            "email_not_ascii",
            "value is not a valid email address: use ASCII letters only "
            "(an international domain in its xn-- form)",
        )
    if len(email) > MAX_EMAIL_LENGTH:
        raise PydanticCustomError(
            "string_too_long",
            "String should have at most {max_length} characters",
            {"max_length": MAX_EMAIL_LENGTH},
        )
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise PydanticCustomError(
            "value_error", "value is not a valid email address: {reason}", {"reason": str(error)}
        ) from None
    return email


Email = Annotated[
    str,
    AfterValidator(valid_email),
    Field(json_schema_extra={"format": "email", "maxLength": MAX_EMAIL_LENGTH}),
]


# The limits are documented here and enforced, with every other rule, by `password_problems`.
NewPassword = Annotated[
    str, Field(json_schema_extra={"minLength": MIN_LENGTH, "maxLength": MAX_LENGTH})
]


def acceptable_password(password: str, email: str = "") -> str:
    """`password`, or a 422 on it naming every rule it breaks."""
    problems = password_problems(password, email)
    if problems:
        raise PydanticCustomError("password_too_weak", " ".join(problems))
    return password


class Registration(BaseModel):
    email: Email
    password: NewPassword

    @field_validator("password")
    @classmethod
    def acceptable(cls, password: str, info: ValidationInfo) -> str:
        """Every rule the password breaks, in one error on `password` (similarity to the email
        is judged only once the email itself is valid)."""
        return acceptable_password(password, info.data.get("email", ""))


class EmailRequest(BaseModel):
    """POST /api/auth/password-reset and /api/auth/verify-email/resend."""

    email: Email


class PasswordResetConfirm(BaseModel):
    token: str
    # Judged here by every rule but the similarity to the email, which the route checks once
    # the token has named the user.
    password: NewPassword

    @field_validator("password")
    @classmethod
    def acceptable(cls, password: str) -> str:
        return acceptable_password(password)


class PasswordChange(BaseModel):
    current_password: str
    new_password: NewPassword

    @field_validator("new_password")
    @classmethod
    def acceptable(cls, password: str) -> str:
        return acceptable_password(password)


class EmailVerification(BaseModel):
    token: str


class RefreshRequest(BaseModel):
    """POST /api/auth/refresh and /api/auth/logout."""

    refresh_token: str


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    created_at: datetime

    @field_validator("created_at")
    @classmethod
    def assume_utc(cls, value: datetime) -> datetime:
        # SQLite hands back naive datetimes; they were stored in UTC.
        return value if value.tzinfo else value.replace(tzinfo=UTC)


class Me(UserOut):
    """GET /api/users/me: the account, and whether its email is verified."""

    email_verified: bool


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a token type, not a secret)
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_token: str = Field(
        description="Trade it for a new pair at POST /api/auth/refresh (once: each refresh "
        "hands out a new one)"
    )
    refresh_expires_in: int = Field(description="Seconds until the refresh token expires")


class Accepted(BaseModel):
    """The 202 of the mail routes, the same whether or not the email has an account."""

    detail: str


class Problem(BaseModel):
    """The body of every error answer."""

    detail: str
