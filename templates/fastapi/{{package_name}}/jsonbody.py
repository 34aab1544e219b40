"""JSON request bodies, parsed strictly: what no API should take is a 400 before any route runs.

json_limits.py reads the body, with the limits and the words of every stack: nesting too deep,
numbers too long or too large, NaN and Infinity, bytes that are not UTF-8 text. FastAPI would
turn some of these into a bare 400 and hand the others to validation; here each is a 400
`{"detail": ...}` that says what is wrong. Malformed JSON stays a JSONDecodeError, which FastAPI
answers with a 422 naming the position. Text the database cannot store (NUL, lone surrogates) is
valid JSON: the fields' own validators refuse it, naming the field (items/schemas.py).

Routers use it as their route class (FastAPI's "custom Request and APIRoute class"):
`APIRouter(route_class=StrictJSONRoute)`.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response, status
from fastapi.routing import APIRoute

from .json_limits import BadJSON, loads


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                self._json = loads(await self.body())
            except BadJSON as exc:
                raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from None
        return self._json


class StrictJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_json_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_json_handler
