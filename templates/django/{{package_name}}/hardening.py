"""Hardening that Django's settings alone do not give: the request body cap for the API, and
the admin's login throttle (django-axes) fitted to this project."""

import io
from collections.abc import Callable
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase


def too_large() -> JsonResponse:
    detail = f"Request body too large: send at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    return JsonResponse({"detail": detail}, status=413)


class RequestSizeLimitMiddleware:
    """413 JSON for a body over DATA_UPLOAD_MAX_MEMORY_SIZE (MAX_REQUEST_BYTES).

    Django enforces that limit only where it reads the body itself (`request.body`, forms),
    and answers 400 there; DRF's parsers read the stream directly, past any limit. So a
    `Content-Length` over the limit is refused here, before anything reads the body. A chunked
    body has none: `ChunkedBodyHandler` gives it one first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if limit is not None and declared.isdigit() and int(declared) > limit:
            return too_large()
        return self.get_response(request)


class ChunkedBodyHandler(WSGIHandler):
    """Django's WSGI handler, for request bodies sent in chunks (no `Content-Length`, which
    Django would take as no body at all).

    Reads at most one byte more than DATA_UPLOAD_MAX_MEMORY_SIZE, and hands the body on with
    the length read: RequestSizeLimitMiddleware then refuses one over the limit (413) as it
    does any other. Only where the server says the body ends (`wsgi.input_terminated`, set by
    gunicorn): elsewhere, reading to the end could wait on the connection for ever.
    """

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> HttpResponseBase:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            body = environ["wsgi.input"].read(-1 if limit is None else limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return super().__call__(environ, start_response)


class AdminLoginThrottle(AxesStandaloneBackend):
    """django-axes' backend, for logins made over HTTP only.

    Axes refuses `authenticate()` calls without a request (the test client's `login()`, a
    management command); there is no client to throttle in those, so they pass untouched.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is not None:
            super().authenticate(request, username, password, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for the login throttles (the admin's and the API's).

    The socket peer; behind a trusted proxy (TRUST_PROXY_HEADERS), the last X-Forwarded-For
    entry instead, the one the proxy appended: the entries before it are the client's to invent.
    """
    if settings.TRUST_PROXY_HEADERS:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).rsplit(",", 1)[-1].strip()
        if forwarded and forwarded.isprintable():
            return forwarded
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None
