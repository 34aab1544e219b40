"""Request and response bodies of the user endpoints. No password or hash ever goes out."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, field_validator


def lower_case(email: str) -> str:
    return email.lower()


def strong_enough(password: str) -> str:
    if password.isdigit():
        raise ValueError("must not be all digits")
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return password


Email = Annotated[EmailStr, AfterValidator(lower_case)]
Password = Annotated[str, Field(min_length=8, max_length=128), AfterValidator(strong_enough)]


class Registration(BaseModel):
    email: Email
    password: Password


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


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a token type, not a secret)
    expires_in: int = Field(description="Seconds until the token expires")


class Problem(BaseModel):
    """The body of every error answer."""

    detail: str
