"""JSON request bodies, parsed strictly: what no API should take is a 400 before any route runs.

Python's json module reads things a client should not send and the app cannot use: `NaN` and
`Infinity` (not JSON at all), numbers past a float's range (`1e999` becomes infinity), integers
of thousands of digits (int() refuses them past 4300, with a ValueError), and nesting deep
enough to exhaust the interpreter's stack (a RecursionError). FastAPI would turn the last two
into a bare 400 and hand the others to validation; here each is a 400 `{"detail": ...}` that
says what is wrong. Text the database cannot store (NUL, lone surrogates) is valid JSON: the
fields' own validators refuse it, naming the field (items/schemas.py).

Routers use it as their route class (FastAPI's "custom Request and APIRoute class"):
`APIRouter(route_class=StrictJSONRoute)`.
"""

import json
import math
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn

from fastapi import HTTPException, Request, Response, status
from fastapi.routing import APIRoute

# Python's own limit for int() from text (sys.get_int_max_str_digits()); no id, count or
# amount an API takes comes near it.
MAX_DIGITS = 4300


class BadJSON(HTTPException):
    def __init__(self, problem: str) -> None:
        super().__init__(status.HTTP_400_BAD_REQUEST, detail=f"The JSON body {problem}.")


def _no_constant(name: str) -> NoReturn:
    raise BadJSON(f"holds {name}, which is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise BadJSON(f"holds the number {text[:20]}, past the range of a float")
    return number


def _integer(text: str) -> int:
    if len(text) > MAX_DIGITS:
        raise BadJSON(f"holds an integer of {len(text)} digits; at most {MAX_DIGITS} are read")
    return int(text)


def parse(body: bytes) -> Any:
    """The body's JSON value; a BadJSON (400) for what the module docstring lists. Malformed
    JSON stays a JSONDecodeError, which FastAPI answers with a 422 naming the position."""
    try:
        return json.loads(
            body, parse_constant=_no_constant, parse_float=_finite, parse_int=_integer
        )
    except RecursionError:
        raise BadJSON("is nested too deeply") from None
    except UnicodeDecodeError:
        raise BadJSON("is not UTF-8 text") from None


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_json_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_json_handler
