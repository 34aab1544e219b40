"""drf-spectacular hooks that shape the OpenAPI document."""

from typing import Any


def drop_optional_trailing_slash(
    endpoints: list[tuple[str, str, str, Any]], **kwargs: Any
) -> list[tuple[str, str, str, Any]]:
    """Document `/api/items`, not `/api/items/`, for routes where the slash is optional.

    Both spellings are served (see `items/urls.py`); the document names each route once, in
    the form without the slash.
    """
    return [
        (path.rstrip("/") if regex.endswith("/?$") else path, regex, method, callback)
        for path, regex, method, callback in endpoints
    ]
