"""Who may use the admin: the staff user its session names, and the CSRF token every form
(and every other request that changes something) must carry.

The session is Starlette's signed cookie, the admin's own (`admin_session`, sent to /admin
only): it holds the user's id and a fingerprint of their password hash, so a new password (or
SECRET_KEY) ends the user's other sessions, and losing `is_staff` or `is_active` ends them all
at once. A browser sends the cookie with every request, including one another site's page makes
it send, so each POST and DELETE here carries a CSRF token (WTForms' SessionCSRF, the base of
every admin form): without a valid one it changes nothing.
"""

import hashlib
import hmac
from contextvars import ContextVar
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from sqladmin.authentication import AuthenticationBackend
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from wtforms import Form, ValidationError
from wtforms.csrf.core import CSRFTokenField
from wtforms.csrf.session import SessionCSRF
from wtforms.form import BaseForm

from ..db import SessionLocal
from ..users.models import User
from ..users.security import signing_key

URL = "/admin"
LOGIN_URL = f"{URL}/login"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A login lasts this long; so does each form's CSRF token.
LIFETIME = timedelta(hours=12)
USER_ID = "admin_user_id"
FINGERPRINT = "admin_password_fingerprint"
# The header the admin's own script (statics/js/admin.js) sends the token in: its delete
# buttons send DELETE requests, which have no form.
CSRF_HEADER = "X-CSRF-Token"
REFUSED = (
    "The form was refused, and nothing was changed: it came without its security token, or "
    "with one that has expired. Go back, reload the page and send the form again."
)

# The session of the request being served (CurrentSession): WTForms builds the admin's forms
# with no request at hand, and their CSRF tokens live in it.
current_session: ContextVar[dict[str, Any]] = ContextVar("admin_session")


def secret(purpose: str) -> bytes:
    """A key for one purpose, derived from SECRET_KEY."""
    return hmac.new(signing_key().encode(), purpose.encode(), hashlib.sha256).digest()


class StaffCSRF(SessionCSRF):
    def validate_csrf_token(self, form: BaseForm, field: CSRFTokenField) -> None:
        # A session that was never handed a token has none to match (SessionCSRF would fail
        # with a KeyError).
        if "csrf" not in self.session:
            raise ValidationError("CSRF token missing.")
        super().validate_csrf_token(form, field)


class StaffForm(Form):
    """An admin form with its CSRF token, good for as long as a login lasts."""

    class Meta:
        csrf = True
        csrf_class = StaffCSRF
        csrf_time_limit = LIFETIME

        @property
        def csrf_secret(self) -> bytes:
            return secret("admin CSRF tokens")

        @property
        def csrf_context(self) -> dict[str, Any]:
            return current_session.get()


def csrf_token() -> str:
    """This session's CSRF token, for our templates: the logout form, and the page's scripts."""
    token: str = StaffForm().csrf_token.current_token  # type: ignore[attr-defined]
    return token


def csrf_token_sent(token: str | None) -> bool:
    """Whether `token` is a valid CSRF token of this session."""
    return token is not None and StaffForm(FormData({"csrf_token": token})).validate()


async def require_csrf_token(request: Request) -> None:
    """A 400 for a request that would change something without this session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        form = await request.form()  # kept by the request: the view reads it again
        value = form.get("csrf_token")
        token = value if isinstance(value, str) else None
    if not csrf_token_sent(token):
        raise HTTPException(400, detail=REFUSED)


def fingerprint(user: User) -> str:
    return hmac.new(
        secret("admin sessions"), user.password_hash.encode(), hashlib.sha256
    ).hexdigest()


def log_in(request: Request, user: User) -> None:
    request.session.clear()  # nothing from before the login carries over
    remember(request, user)


def remember(request: Request, user: User) -> None:
    """Keep `user` logged in, with their password as it is now."""
    request.session[USER_ID] = user.id
    request.session[FINGERPRINT] = fingerprint(user)
    request.state.admin_user = user


def log_out(request: Request) -> None:
    request.session.clear()
    request.state.admin_user = None


async def staff_user(request: Request) -> User | None:
    """The active staff user this request's session names, or None."""
    user_id = request.session.get(USER_ID)
    if not isinstance(user_id, int):
        return None
    async with SessionLocal() as session:
        user = await session.get(User, user_id)
    if user is None or not (user.is_active and user.is_staff):
        return None
    if not hmac.compare_digest(str(request.session.get(FINGERPRINT, "")), fingerprint(user)):
        return None
    return user


def safe_next(target: str | None) -> str:
    """`target` when it is a page of the admin, else the admin's home: a login never sends
    anyone to another site."""
    home = f"{URL}/"
    if not target or not target.isprintable() or "\\" in target:
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith(home):
        return home
    return target


def login_page_for(request: Request) -> str:
    """The login page, coming back to the page asked for (a GET's) once logged in."""
    if request.method not in SAFE_METHODS:
        return LOGIN_URL
    asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{LOGIN_URL}?next={quote(asked, safe='')}"


class CurrentSession:
    """Makes each request's session the one the admin's forms find (`current_session`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = current_session.set(scope["session"])
        try:
            await self.app(scope, receive, send)
        finally:
            current_session.reset(token)


class StaffOnly(AuthenticationBackend):
    """SQLAdmin asks this before every page and action but its login and logout (login.py):
    only an active staff user's session gets through, and only with a CSRF token when the
    request changes something. Everyone else is sent to the login page."""

    def __init__(self, *, debug: bool) -> None:
        super().__init__(
            secret_key=secret("admin session cookies").hex(),
            session_cookie="admin_session",
            max_age=int(LIFETIME.total_seconds()),
            path=URL,  # never sent to the API
            same_site="lax",
            https_only=not debug,
        )
        self.middlewares.append(Middleware(CurrentSession))

    async def authenticate(self, request: Request) -> Response | bool:
        user = await staff_user(request)
        request.state.admin_user = user
        if user is None:
            return RedirectResponse(login_page_for(request), status_code=302)
        await require_csrf_token(request)
        return True

    async def get_user_id(self, request: Request) -> Any:
        return request.session.get(USER_ID)
