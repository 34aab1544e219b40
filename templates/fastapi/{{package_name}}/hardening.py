"""HTTP hardening: OWASP's REST security headers on every response, and a cap on request bodies.

Both are plain ASGI middleware, so they also cover responses that never reach a route (the
host check's 400, a 404, the docs' static files) and bodies sent in chunks without a
`Content-Length` header, which uvicorn itself never limits.
"""

from collections.abc import Mapping

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import Settings


def security_headers(settings: Settings) -> dict[str, str]:
    """The headers every response carries unless it sets its own."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        # No page of this app may be framed (clickjacking); the CSP form is the modern one.
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": "frame-ancestors 'none'",
        "Referrer-Policy": "no-referrer",
        # API answers are per-request data: never keep them in a browser or shared cache.
        "Cache-Control": "no-store",
    }
    if not settings.debug and settings.secure_hsts_seconds:
        hsts = f"max-age={settings.secure_hsts_seconds}"
        if settings.secure_hsts_include_subdomains:
            hsts += "; includeSubDomains"
        if settings.secure_hsts_preload:
            hsts += "; preload"
        headers["Strict-Transport-Security"] = hsts
    return headers


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, headers: Mapping[str, str]) -> None:
        self.app = app
        self.headers = dict(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestTooLarge(HTTPException):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, detail=f"Request body too large: send at most {max_bytes} bytes.")


class RequestSizeLimitMiddleware:
    """413 for a body over `max_bytes`: at once when `Content-Length` announces it, otherwise
    as soon as the chunks read so far exceed it (the route never sees the body)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self.too_large(scope, receive, send)
            return

        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI turns this into the 413 response (an HTTPException); a
                    # route that is not FastAPI's gets it from the `except` below.
                    raise RequestTooLarge(self.max_bytes)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except RequestTooLarge:
            if response_started:
                raise
            await self.too_large(scope, receive, send)

    async def too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = RequestTooLarge(self.max_bytes)
        response = JSONResponse({"detail": error.detail}, status_code=error.status_code)
        await response(scope, receive, send)
