"""The admin at /admin/ (Flask-Admin): `Item` and `User` screens for staff users.

Staff log in with their email and password on /admin/login, into a session of their own
(a signed cookie, see config.py), apart from the API's bearer tokens. Everything else under
/admin/ answers only to a staff user's session (access.py); its own scripts and styles come
from Flask-Admin's package, served by the app, never from a CDN.
"""

import base64
import hashlib
import secrets

from flask import Blueprint, Flask, Response, g, request
from flask_admin.base import Admin
from flask_admin.theme import Bootstrap4Theme

from ..extensions import db
from ..items.models import Item
from ..users.models import User
from .login import HomeView
from .views import ItemView, UserView

URL = "/admin"
# The two inline event handlers of Flask-Admin's list page ("delete this record?" and the
# "With selected" menu's delete), allowed by their hashes; every other script is a file of
# the app or carries this request's nonce.
INLINE_HANDLERS = (
    "return faHelpers.safeConfirm('Are you sure you want to delete this record?');",
    "return modelActions.execute('delete');",
)


def script_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


HANDLER_HASHES = " ".join(script_hash(handler) for handler in INLINE_HANDLERS)


def csp_nonce() -> str:
    """This request's script nonce: Flask-Admin puts it on every script tag it writes."""
    if "admin_csp_nonce" not in g:
        g.admin_csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.admin_csp_nonce
    return nonce


def content_security_policy() -> str:
    """The admin pages' policy: scripts, styles, fonts and images from the app only."""
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{csp_nonce()}' 'unsafe-hashes' {HANDLER_HASHES}; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
    )


def add_content_security_policy(response: Response) -> Response:
    # The rest of the app keeps the policy hardening.py gives every response.
    if request.path == URL or request.path.startswith(f"{URL}/"):
        response.headers["Content-Security-Policy"] = content_security_policy()
    return response


def init_app(app: Flask) -> None:
    admin = Admin(
        app,
        name=f"{app.config['API_TITLE']} admin",
        url=URL,
        index_view=HomeView(url=URL, template="admin/home.html"),
        theme=Bootstrap4Theme(base_template="admin/staff_base.html"),
        csp_nonce_generator=csp_nonce,
    )
    admin.add_view(ItemView(Item, db, name="Items", endpoint="item"))
    admin.add_view(UserView(User, db, name="Users", endpoint="user"))
    # The login page and the layout around Flask-Admin's pages (templates/admin/).
    app.register_blueprint(Blueprint("admin_templates", __name__, template_folder="templates"))
    app.after_request(add_content_security_policy)
