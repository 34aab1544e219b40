"""One slash policy for every route: `/api/items/` is answered as `/api/items`, without a redirect.

Clients POST to either spelling, and a redirect (Starlette's `redirect_slashes`, off in
main.py) would turn their POST into a GET on the way. Registering each route a second time
under its slashed path would do, but only route by route, and every copy must be kept out of
the OpenAPI document by hand. This middleware does it once for the whole app: a request whose
path ends in `/` and matches no route is passed on without that slash when the path then
matches one (a 405 for a wrong method included, as without the slash). A path that matches
as it is (`/`, the admin under `/admin/`) is left alone, and so is every path without a
trailing slash: most requests cost one `endswith`. The document lists each path once.

Flask's counterpart is `app.url_map.strict_slashes = False` in `create_app`.
"""

from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send


def _routed(scope: Scope) -> bool:
    """Whether any route of the app takes this path (with any method)."""
    return any(route.matches(scope)[0] is not Match.NONE for route in scope["app"].router.routes)


class TrailingSlashMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/") and not _routed(scope):
            raw_path: bytes | None = scope.get("raw_path")
            unslashed = {
                **scope,
                "path": path[:-1],
                "raw_path": raw_path[:-1] if raw_path and raw_path.endswith(b"/") else raw_path,
            }
            if _routed(unslashed):
                # A copy: the middleware outside (the access record) still sees the path sent.
                scope = unslashed
        await self.app(scope, receive, send)
