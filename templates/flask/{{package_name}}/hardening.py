"""HTTP hardening: OWASP's REST security headers on every response, and a cap on request bodies.

The cap is Flask's own `MAX_CONTENT_LENGTH` (MAX_REQUEST_BYTES in config.py), answered 413 in
JSON by the API's error handler; the hook below applies it before any view runs, to bodies
sent in chunks (without `Content-Length`) too.
"""

import io
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, abort, request


def security_headers(config: Mapping[str, Any]) -> dict[str, str]:
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
    if not config["DEBUG"] and config["SECURE_HSTS_SECONDS"]:
        hsts = f"max-age={config['SECURE_HSTS_SECONDS']}"
        if config["SECURE_HSTS_INCLUDE_SUBDOMAINS"]:
            hsts += "; includeSubDomains"
        if config["SECURE_HSTS_PRELOAD"]:
            hsts += "; preload"
        headers["Strict-Transport-Security"] = hsts
    return headers


def refuse_oversized_body() -> None:
    """413 for a body over the limit, before any view (or its login check) runs.

    Werkzeug would refuse a large `Content-Length` only once a view reads the body. A chunked
    body it stops reading at MAX_CONTENT_LENGTH, but then parses the part it read, so the
    client would get a 400 about broken JSON: read it here instead, at most one byte past the
    limit, and hand a body within the limit on as read.
    """
    limit = request.max_content_length
    if limit is not None and request.content_length is not None:
        if request.content_length > limit:
            abort(413)
        return
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if limit is None or not chunked or "wsgi.input_terminated" not in request.environ:
        return
    stream = request.environ["wsgi.input"]
    body = bytearray()
    while len(body) <= limit:
        chunk = stream.read(min(64 * 1024, limit + 1 - len(body)))
        if not chunk:
            break
        body += chunk
    if len(body) > limit:
        abort(413)
    request.environ["wsgi.input"] = io.BytesIO(bytes(body))


def init_app(app: Flask) -> None:
    # Header names are case-insensitive: compare them lower-cased.
    headers = [(name.lower(), name, value) for name, value in security_headers(app.config).items()]
    app.before_request(refuse_oversized_body)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        # One pass over the response's headers; `headers.setdefault` would search them once
        # per added header, on every response.
        present = {name.lower() for name, _ in response.headers.items()}
        for key, name, value in headers:
            if key not in present:
                response.headers.add(name, value)
        return response
