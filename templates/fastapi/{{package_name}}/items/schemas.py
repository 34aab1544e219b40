"""Request and response bodies. Unknown request fields are ignored, never stored."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)


def storable(value: str) -> str:
    """Reject text a database cannot store: NUL (PostgreSQL refuses it) and lone surrogates
    (not encodable as UTF-8), so such input is a 422 instead of a 500."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(storable),
]
Description = Annotated[str, Field(max_length=2000), AfterValidator(storable)]


class ItemIn(BaseModel):
    """The body of POST and PUT: PUT replaces both fields, so a missing description is ""."""

    name: Name
    description: Description = ""


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    created_at: datetime

    @field_validator("created_at")
    @classmethod
    def as_utc(cls, value: datetime) -> datetime:
        # SQLite hands back naive datetimes (stored in UTC); PostgreSQL, the session's zone.
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
