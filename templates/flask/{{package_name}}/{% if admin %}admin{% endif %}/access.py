"""Who may use the admin: the staff user its session names, and the CSRF token each form
posted to it must carry.

The session (Flask's signed cookie) holds the user's id and a fingerprint of their password
hash: a new password (or SECRET_KEY) ends the user's other sessions, and losing `is_staff` or
`is_active` ends them all at once. A browser sends the cookie with every request, including
one another site's page makes it send, so every form posted here carries a CSRF token (wtforms'
SessionCSRF, which Flask-Admin's SecureForm uses): a POST without a valid one changes nothing.
"""

import hashlib
import hmac
from datetime import timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

from flask import current_app, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_admin.base import BaseView
from flask_admin.form import SecureForm

from ..extensions import db
from ..users.models import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
USER_ID = "admin_user_id"
FINGERPRINT = "admin_password_fingerprint"


class StaffForm(SecureForm):
    """A Flask-Admin form with its CSRF token, good for as long as a login lasts."""

    class Meta:
        @property
        def csrf_time_limit(self) -> timedelta:
            lifetime: timedelta = current_app.permanent_session_lifetime
            return lifetime


def csrf_token_sent() -> bool:
    """Whether this request's form carries a valid CSRF token for this session."""
    return bool(StaffForm(request.form).validate())


def fingerprint(user: User) -> str:
    key = str(current_app.secret_key).encode()
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()


def log_in(user: User) -> None:
    session.clear()  # nothing from before the login carries over
    remember(user)


def remember(user: User) -> None:
    """Keep `user` logged in, with their password as it is now."""
    session[USER_ID] = user.id
    session[FINGERPRINT] = fingerprint(user)
    g.admin_user = user


def log_out() -> None:
    session.clear()
    g.admin_user = None


def staff_user() -> User | None:
    """The active staff user this request's session names, or None."""
    if "admin_user" not in g:
        g.admin_user = _session_user()
    user: User | None = g.admin_user
    return user


def _session_user() -> User | None:
    user_id = session.get(USER_ID)
    if not isinstance(user_id, int):
        return None
    user = db.session.get(User, user_id)
    if user is None or not (user.is_active and user.is_staff):
        return None
    if not hmac.compare_digest(str(session.get(FINGERPRINT, "")), fingerprint(user)):
        return None
    return user


def safe_next(target: str | None) -> str:
    """`target` when it is a page of the admin, else the admin's home: a login never sends
    anyone to another site."""
    home = url_for("admin.index")
    if not target or not target.isprintable() or "\\" in target:
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith(home):
        return home
    return target


class StaffOnly(BaseView):
    """What every admin view shares: staff only, a CSRF token on every POST, and the logged-in
    user and a logout form for the page's top bar."""

    # View methods anyone may reach (the login page): their own code decides.
    public_views: ClassVar[frozenset[str]] = frozenset()

    def is_accessible(self) -> bool:
        return staff_user() is not None

    def inaccessible_callback(self, name: str, **kwargs: Any) -> ResponseReturnValue:
        target = request.full_path.rstrip("?") if request.method in SAFE_METHODS else None
        return redirect(url_for("admin.login_view", next=target))

    def _handle_view(self, name: str, **kwargs: Any) -> ResponseReturnValue | None:
        if name not in self.public_views and not self.is_accessible():
            return self.inaccessible_callback(name, **kwargs)
        if request.method not in SAFE_METHODS and not csrf_token_sent():
            return self.render("admin/refused.html"), 400
        return None

    def render(self, template: str, **kwargs: Any) -> str:
        kwargs.setdefault("staff", staff_user())
        kwargs.setdefault("logout_form", StaffForm())
        page: str = super().render(template, **kwargs)
        return page
