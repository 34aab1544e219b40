"""Request and response shapes; flask-smorest validates with them and documents them."""

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import validate


class UTCDateTime(ma.fields.DateTime):
    """Dump datetimes with their UTC offset.

    SQLite hands back naive datetimes even for `DateTime(timezone=True)` columns; the values
    were stored in UTC, so say so rather than leave clients to guess.
    """

    def _serialize(
        self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any
    ) -> str | float | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


# The largest OFFSET SQLite and PostgreSQL accept (a signed 64-bit integer).
MAX_OFFSET = 2**63 - 1


def storable(value: str) -> None:
    """Reject text a database cannot store: NUL (PostgreSQL refuses it) and lone surrogates
    (not encodable as UTF-8), so such input is a 422 instead of a 500."""
    if "\x00" in value:
        raise ma.ValidationError("Must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ma.ValidationError("Must be valid Unicode text.") from None


class ItemSchema(ma.Schema):
    """An item as sent (POST, PUT: a full replace) and as returned.

    Unknown fields, `id` and `created_at` included, are rejected with 422 (marshmallow's
    default `unknown = RAISE`), so nothing unexpected is ever stored.
    """

    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=[validate.Length(min=1, max=100), storable])
    description = ma.fields.String(load_default="", validate=[validate.Length(max=2000), storable])
    created_at = UTCDateTime(dump_only=True)

    @ma.pre_load
    def strip_name(self, data: Any, **kwargs: Any) -> Any:
        # Trim before validating, so a whitespace-only name fails the length check.
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            data = {**data, "name": data["name"].strip()}
        return data


class ListArgsSchema(ma.Schema):
    """Query string of GET /api/items."""

    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    offset = ma.fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))
