"""What the three bare apps share: the contract's per-request pieces that depend on no web
framework, each written once, plainly. Read from the environment the generated project reads
(benchmarks/throughput.py starts the bare apps with the generated app's environment).
"""

import logging
import os
import re
import runpy
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

import structlog

# BARE_AUTH=1: /api/items needs a bearer token issued by the generated project (same
# SECRET_KEY, same claims; BARE_TOKEN_ISSUER is its `iss`), and serves the user's own items.
AUTH = os.environ.get("BARE_AUTH") == "1"
if AUTH:  # PyJWT: installed in a project with auth on
    import jwt
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ISSUER = os.environ.get("BARE_TOKEN_ISSUER", "")
DEBUG = os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_BYTES") or 1024 * 1024)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
CORS_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("CORS_ALLOWED_ORIGINS", "").split(",")
    if origin.strip()
]
MAX_ID = 2**31 - 1
MAX_OFFSET = 2**63 - 1

# --- request ids and the access record ------------------------------------------------------

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def request_id(sent: str | None) -> str:
    """The client's X-Request-ID when it is a short, harmless token; a new UUID otherwise."""
    return sent if sent and SANE_REQUEST_ID.fullmatch(sent) else str(uuid.uuid4())


# One JSON line per record on stdout, written directly (no `logging` record, handler or
# formatter), with the fields of the generated app's access record.
_level = logging.getLevelNamesMapping()[os.environ.get("LOG_LEVEL", "info").strip().upper()]
access_log = structlog.wrap_logger(
    structlog.WriteLogger(sys.stdout),
    processors=[
        structlog.contextvars.merge_contextvars,  # the request id (bound per request)
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        structlog.processors.JSONRenderer(),
    ],
    wrapper_class=structlog.make_filtering_bound_logger(_level),
)
ACCESS_LOGGER = "bare.access"

# --- security headers (OWASP's REST set, as FastAPI's and Flask's templates send) ----------

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_hsts = int(os.environ.get("SECURE_HSTS_SECONDS") or 60 * 60 * 24 * 365)
if not DEBUG and _hsts:
    SECURITY_HEADERS["Strict-Transport-Security"] = f"max-age={_hsts}; includeSubDomains"

# --- bearer tokens ---------------------------------------------------------------------------

SUBJECT = re.compile(r"[1-9][0-9]{0,18}")  # a user id, in plain decimal digits


class Claims(NamedTuple):
    user_id: int  # `sub`
    version: int  # `ver`: the user's token version when the token was made (0: none)


def token_claims(authorization: str | None, max_id: int = MAX_ID) -> Claims | None:
    """The claims of a valid access token in an `Authorization: Bearer ...` header: HS256 with
    SECRET_KEY, `exp`, `iat` (not in the future), `iss`, `"type": "access"` and a `sub` naming
    an id up to `max_id` required. None for anything else."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme != "Bearer" or not token or len(token) > 4096:
        return None
    try:
        claims = jwt.decode(
            token,
            SECRET_KEY,
            algorithms=["HS256"],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "iss", "sub", "type"]},
        )
    except jwt.InvalidTokenError:
        return None
    sub, version = claims["sub"], claims.get("ver", 0)
    if claims["type"] != "access" or not isinstance(sub, str) or not SUBJECT.fullmatch(sub):
        return None
    if int(sub) > max_id or type(version) is not int:
        return None
    return Claims(int(sub), version)


# --- request bodies ----------------------------------------------------------------------------

# The generated apps' strict JSON reader, run from the template's own file: it is plain Python
# (every stack's `<package>/json_limits.py` is only `{% include %}` of it), so the bare apps
# refuse the same bodies with the same words and cannot drift from the template.
JSON_LIMITS = Path(__file__).resolve().parents[2] / "templates" / "_shared" / "json_limits.py.jinja"
json_limits = SimpleNamespace(**runpy.run_path(str(JSON_LIMITS), run_name="json_limits"))


class BadBody(ValueError):
    """A body no valid request has: 400. Its message completes "The JSON body ..." for what the
    generated apps refuse (json_limits.BadJSON's `problem`); it is the json module's own words
    for malformed JSON."""


def parse_json(body: bytes) -> Any:
    """A JSON body, read by the generated apps' own reader (json_limits.loads: NaN/Infinity,
    floats past 1e308, integers past 4300 digits, nesting deeper than the stack, bytes that are
    not UTF-8); what it refuses, and malformed JSON, are BadBody."""
    try:
        return json_limits.loads(body)
    except json_limits.BadJSON as error:
        raise BadBody(error.problem) from None
    except ValueError as error:  # malformed
        raise BadBody(str(error)) from None


def storable(value: Any, shortest: int, longest: int) -> str | None:
    """`value` when it is text of `shortest` to `longest` characters that the databases can
    store (no NUL, no lone surrogate); None otherwise."""
    if not isinstance(value, str) or not shortest <= len(value) <= longest or "\x00" in value:
        return None
    try:
        value.encode()
    except UnicodeEncodeError:
        return None
    return value


def item_fields(body: Any) -> tuple[str, str] | None:
    """An item's `name` (trimmed, 1-100 characters) and `description` (optional, at most 2000)
    from a parsed body; None when either is missing or invalid. Other fields are ignored."""
    if not isinstance(body, dict):
        return None
    name = body.get("name")
    name = storable(name.strip() if isinstance(name, str) else None, 1, 100)
    description = storable(body.get("description", ""), 0, 2000)
    return None if name is None or description is None else (name, description)


def page_param(raw: str | None, default: int, highest: int, lowest: int) -> int | None:
    """A `limit` or `offset` query parameter: absent or empty means `default`; None when it is
    not a whole number from `lowest` to `highest`."""
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None
    value = int(raw)
    return value if lowest <= value <= highest else None
