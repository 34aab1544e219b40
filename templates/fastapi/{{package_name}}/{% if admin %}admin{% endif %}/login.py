"""The admin's login and logout: /admin/login, /admin/logout (a POST, with its CSRF token).

A login is checked as the API's is (users/routes.py): the email in its canonical form, and
each attempt reserved in the login throttle's table before its password is verified, keyed on
that email and the client's address, so failures here and at POST /api/auth/token count
together, across every worker process. Only an active staff user gets in; everyone else gets
one answer, whatever was wrong.
"""

from sqladmin.templating import Jinja2Templates
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired

from ..db import SessionLocal
from ..users import throttle
from ..users.emails import canonical_email
from ..users.models import User
from ..users.routes import storable
from ..users.security import verify_password
from .access import LOGIN_URL, StaffForm, log_in, log_out, require_csrf_token, safe_next, staff_user

BAD_LOGIN = "Incorrect email or password, or not a staff account."


class LoginForm(StaffForm):
    # `username`, as in the API's OAuth2 form: the field a password manager fills.
    username = EmailField("Email", [InputRequired()])
    password = PasswordField("Password", [InputRequired()])


async def staff_login(request: Request, email: str, password: str) -> tuple[User | None, int]:
    """The active staff user whose email and password these are (else None), and the seconds
    to wait when the throttle refuses to check them (else 0)."""
    email = canonical_email(email)
    if not storable(email):
        # Cannot be an account: nothing to count against; spend the time a check takes.
        await verify_password(password, None)
        return None, 0
    client = throttle.client_address(request)
    async with SessionLocal() as session:
        wait = await throttle.reserve(session, email, client)
        if wait:
            return None, wait
        user = await session.scalar(select(User).where(User.email == email))
        valid = await verify_password(password, user.password_hash if user else None)
        if user is None or not valid:
            return None, 0
        # The password was right: this was no guess, whether or not the user may come in.
        await throttle.clear(session, email, client)
    return (user if user.is_active and user.is_staff else None), 0


class LoginPage:
    """What SQLAdmin's `login` and `logout` routes answer (__init__.py's StaffAdmin)."""

    def __init__(self, templates: Jinja2Templates) -> None:
        self.templates = templates

    async def login(self, request: Request) -> Response:
        next_url = safe_next(request.query_params.get("next"))
        if request.method == "GET" and await staff_user(request) is not None:
            return RedirectResponse(next_url, status_code=302)
        form = LoginForm(await request.form() if request.method == "POST" else None)
        if request.method != "POST":
            return await self.page(request, form, next_url)
        if not form.validate():
            return await self.page(request, form, next_url, status_code=400)
        user, wait = await staff_login(request, form.username.data or "", form.password.data or "")
        if wait:
            error = f"Too many failed logins for this account; try again in {wait} seconds."
            page = await self.page(request, form, next_url, error, status_code=429)
            page.headers["Retry-After"] = str(wait)
            return page
        if user is None:
            return await self.page(request, form, next_url, BAD_LOGIN, status_code=400)
        log_in(request, user)
        return RedirectResponse(next_url, status_code=302)

    async def page(
        self,
        request: Request,
        form: LoginForm,
        next_url: str,
        error: str = "",
        status_code: int = 200,
    ) -> Response:
        action = f"{LOGIN_URL}?{request.url.query}" if request.url.query else LOGIN_URL
        context = {"form": form, "action": action, "next_url": next_url, "error": error}
        return await self.templates.TemplateResponse(
            request, "sqladmin/login.html", context, status_code=status_code
        )

    async def logout(self, request: Request) -> Response:
        await require_csrf_token(request)
        log_out(request)
        return RedirectResponse(LOGIN_URL, status_code=302)
