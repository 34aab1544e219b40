"""The admin at /admin/ (SQLAdmin): `Item` and `User` screens for staff users.

Staff log in with their email and password on /admin/login, into a session of their own
(access.py), apart from the API's bearer tokens. Everything else under /admin/ answers only to
a staff user's session; its scripts, styles and fonts are SQLAdmin's own files and ours
(statics/), served by the app under /admin/statics/, never from a CDN, under a stricter
Content-Security-Policy than the API's.
"""

from pathlib import Path

from fastapi import FastAPI
from sqladmin import Admin
from sqladmin.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import Settings
from .access import URL, StaffOnly, csrf_token
from .login import LoginPage
from .views import AdminSession, ItemView, UserView

HERE = Path(__file__).parent
# Scripts, styles, fonts and images from the app only; no inline script or style at all (our
# templates replace SQLAdmin's one inline script with statics/js/admin.js).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)
STATICS = f"{URL}/statics/"


class AdminHeaders:
    """The admin's policy on its pages (the rest of the app keeps hardening.py's), and its
    static files kept by browsers, revalidated before each use, like the API docs' files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith(STATICS)  # (the whole path, under a Mount too)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                if static:
                    headers["Cache-Control"] = "no-cache"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class StaffAdmin(Admin):
    """SQLAdmin with our login and logout (login.py), a logout that is a POST with its CSRF
    token, and our templates over SQLAdmin's (templates/sqladmin/)."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        super().__init__(
            app,
            session_maker=AdminSession,
            base_url=URL,
            title=f"{app.title} admin",
            templates_dir=str(HERE / "templates"),
            middlewares=[Middleware(AdminHeaders)],
            authentication_backend=StaffOnly(debug=settings.debug),
            # Our own files (statics/) first, then SQLAdmin's.
            static_files_kwargs={"directory": HERE / "statics"},
        )
        self.login_page = LoginPage(self.templates)
        logout = Route("/logout", self.logout, methods=["POST"], name="logout")
        self.admin.router.routes = [
            logout if getattr(route, "name", None) == "logout" else route
            for route in self.admin.router.routes
        ]

    def init_templating_engine(self) -> Jinja2Templates:
        templates = super().init_templating_engine()
        templates.env.globals["csrf_token"] = csrf_token
        return templates

    async def login(self, request: Request) -> Response:
        return await self.login_page.login(request)

    async def logout(self, request: Request) -> Response:
        return await self.login_page.logout(request)


async def admin_home() -> RedirectResponse:
    return RedirectResponse(f"{URL}/", status_code=308)


def mount(app: FastAPI, settings: Settings) -> None:
    admin = StaffAdmin(app, settings)
    admin.add_view(ItemView)
    admin.add_view(UserView)
    # /admin itself (the app redirects no other path to its slashed spelling).
    app.add_api_route(URL, admin_home, include_in_schema=False)
