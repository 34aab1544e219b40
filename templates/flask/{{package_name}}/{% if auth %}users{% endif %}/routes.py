"""POST /api/auth/register, POST /api/auth/token (OAuth2 password flow), GET /api/users/me."""

from datetime import timedelta
from typing import Any, cast

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import create_access_token, current_user, jwt_required
from flask_smorest import Blueprint, abort
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from . import throttle
from .models import User
from .schemas import LoginFormSchema, RegistrationSchema, TokenSchema, UserSchema
from .security import SCHEME, hash_password, verify_password

blp = Blueprint("users", __name__, description="Accounts and bearer-token login.")

# The same answer for an unknown email and a wrong password: it must not tell which.
BAD_LOGIN = "Incorrect email or password."


def storable(text: str) -> bool:
    """A value the login_failures table can hold (PostgreSQL refuses NUL; 254 characters)."""
    return len(text) <= 254 and text.isprintable()


@blp.route("/api/auth/register", strict_slashes=False)
class Register(MethodView):
    @blp.arguments(RegistrationSchema())
    @blp.response(201, UserSchema)
    @blp.alt_response(409, description="This email is already registered.")
    def post(self, data: dict[str, Any]) -> User:
        """Create an account; log in with POST /api/auth/token."""
        user = User(email=data["email"], password_hash=hash_password(data["password"]))
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            abort(409, message="This email is already registered; log in instead.")
        return user


@blp.route("/api/auth/token", strict_slashes=False)
class Token(MethodView):
    @blp.arguments(LoginFormSchema(), location="form")
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, description=BAD_LOGIN)
    @blp.alt_response(
        429,
        description="Too many failed logins for this account; see Retry-After.",
        headers={
            "Retry-After": {
                "schema": {"type": "integer"},
            },
        },
    )
    def post(self, form: dict[str, str]) -> dict[str, Any]:
        """Exchange an email (as `username`) and password for a bearer token."""
        email = form["username"].strip().lower()
        if not storable(email):
            # Cannot be an account: nothing to count against, same answer as a wrong password.
            verify_password(form["password"], None)
            abort(401, message=BAD_LOGIN)
        wait = throttle.seconds_to_wait(email)
        if wait:
            abort(
                429,
                message=f"Too many failed logins for this account; try again in {wait} seconds.",
                headers={"Retry-After": str(wait)},
            )
        user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        valid = verify_password(form["password"], user.password_hash if user else None)
        if user is None or not valid or not user.is_active:
            throttle.record_failure(email)
            abort(401, message=BAD_LOGIN)
        throttle.clear_failures(email)
        lifetime: timedelta = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
        # abort() above raised otherwise (flask-smorest leaves it untyped): a User here.
        user_id = cast(User, user).id
        return {
            "access_token": create_access_token(identity=str(user_id)),
            "token_type": "bearer",
            "expires_in": int(lifetime.total_seconds()),
        }


@blp.route("/api/users/me", strict_slashes=False)
class Me(MethodView):
    decorators = [jwt_required()]  # noqa: RUF012 (Flask reads it once)

    @blp.response(200, UserSchema)
    @blp.alt_response(401, description="No valid bearer token.")
    @blp.doc(security=[{SCHEME: []}])
    def get(self) -> User:
        """The account the bearer token belongs to."""
        user: User = current_user
        return user
