"""The admin's home, login and logout: /admin/, /admin/login, /admin/logout.

A login is checked as the API's is (users/routes.py): the email in its canonical form, and
each attempt reserved in the login throttle's table before its password is verified, keyed
on that email and the client's address, so failures here and at POST /api/auth/token count
together, across every worker process. Only an active staff user gets in; everyone else gets
one answer, whatever was wrong.
"""

from flask import flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_admin.base import AdminIndexView, expose
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired

from ..extensions import db
from ..users import throttle
from ..users.emails import canonical_email
from ..users.models import User
from ..users.routes import storable
from ..users.security import verify_password
from .access import StaffForm, StaffOnly, log_in, log_out, safe_next, staff_user

BAD_LOGIN = "Incorrect email or password, or not a staff account."


class LoginForm(StaffForm):
    # `username`, as in the API's OAuth2 form: the field a password manager fills.
    username = StringField("Email", [InputRequired()])
    password = PasswordField("Password", [InputRequired()])


def staff_login(email: str, password: str) -> tuple[User | None, int]:
    """The active staff user whose email and password these are (else None), and the seconds
    to wait when the throttle refuses to check them (else 0)."""
    email = canonical_email(email)
    if not storable(email):
        # Cannot be an account: nothing to count against; spend the time a check takes.
        verify_password(password, None)
        return None, 0
    client = (request.remote_addr or "")[:64]
    wait = throttle.reserve_attempt(email, client)
    if wait:
        return None, wait
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if not verify_password(password, user.password_hash if user else None) or user is None:
        return None, 0
    # The password was right: this was no guess, whether or not the user may come in.
    throttle.clear_failures(email, client)
    return (user if user.is_active and user.is_staff else None), 0


class HomeView(StaffOnly, AdminIndexView):
    public_views = frozenset({"login_view", "logout_view"})

    @expose("/login", methods=("GET", "POST"))
    def login_view(self) -> ResponseReturnValue:
        next_url = safe_next(request.args.get("next"))
        if request.method == "GET" and staff_user() is not None:
            return redirect(next_url)
        form = LoginForm(request.form)
        if request.method != "POST":
            return self.login_page(form, next_url)
        if not form.validate():
            return self.login_page(form, next_url), 400
        user, wait = staff_login(form.username.data or "", form.password.data or "")
        if wait:
            error = f"Too many failed logins for this account; try again in {wait} seconds."
            return self.login_page(form, next_url, error), 429, {"Retry-After": str(wait)}
        if user is None:
            return self.login_page(form, next_url, BAD_LOGIN), 400
        log_in(user)
        return redirect(next_url)

    def login_page(self, form: LoginForm, next_url: str, error: str = "") -> str:
        return self.render("admin/login.html", form=form, next_url=next_url, error=error)

    @expose("/logout", methods=("POST",))
    def logout_view(self) -> ResponseReturnValue:
        log_out()
        flash("You are logged out.", "info")
        return redirect(self.get_url(".login_view"))
