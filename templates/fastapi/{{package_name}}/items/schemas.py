"""Request and response bodies. Unknown request fields are ignored, never stored."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Description = Annotated[str, Field(max_length=2000)]


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
