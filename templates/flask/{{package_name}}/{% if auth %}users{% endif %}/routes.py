"""The accounts API: register, log in (OAuth2 password flow), refresh and log out, reset a
forgotten password, change it, verify the email address, and `me`.

The mail these routes send goes off the request path (mail.py); the throttles count in the
database (throttle.py); the tokens are made and checked in tokens.py and security.py.
"""

import logging
from datetime import UTC, datetime
from typing import Any, NoReturn, cast

import jwt
from flask import current_app, request
from flask.views import MethodView
from flask_jwt_extended import current_user, get_jwt, jwt_required, verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException, RevokedTokenError
from flask_smorest import abort
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..bodies import Blueprint
from ..errors import ErrorSchema
from ..extensions import db
from . import mail, throttle, tokens
from .emails import canonical_email
from .models import RefreshToken, User
from .passwords import password_problems
from .schemas import (
    EmailSchema,
    LoginFormSchema,
    MeSchema,
    MessageSchema,
    PasswordChangeSchema,
    PasswordResetSchema,
    RefreshTokenSchema,
    RegistrationSchema,
    TokenSchema,
    UserSchema,
    VerifyEmailSchema,
)
from .security import SCHEME, hash_password, verify_password

logger = logging.getLogger(__name__)
blp = Blueprint(
    "users", __name__, description="Accounts and bearer-token login.", template_folder="templates"
)

# The same answer for an unknown email and a wrong password: it must not tell which.
BAD_LOGIN = "Incorrect email or password."
UNVERIFIED = "Verify your email address before logging in."
BAD_REFRESH = "Invalid or expired refresh token."
BAD_LINK = "This link is invalid or has expired; ask for a new one."
RESET_SENT = "If that email has an account, a reset link is on its way."
RESEND_SENT = "If that email has an unverified account, a new link is on its way."
WRONG_PASSWORD = "The current password is incorrect."  # noqa: S105 (a message)
# RFC 6749 5.1: no cache keeps a response that carries a token.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
    },
}

# What the OpenAPI document says of each error, route by route.
throttled = blp.alt_response(
    429, schema=ErrorSchema, description="Too many requests; see Retry-After.", headers=RETRY_AFTER
)
no_mail = blp.alt_response(503, schema=ErrorSchema, description=mail.NOT_CONFIGURED)
bad_json = blp.alt_response(400, schema=ErrorSchema, description="The body is not valid JSON.")
bad_link = blp.alt_response(
    400, schema=ErrorSchema, description=f"{BAD_LINK} (Or the body is not valid JSON.)"
)
bad_refresh = blp.alt_response(401, schema=ErrorSchema, description=BAD_REFRESH)


def storable(text: str) -> bool:
    """A value the login_failures table can hold (PostgreSQL refuses NUL; 254 characters)."""
    return len(text) <= 254 and text.isprintable()


def client_address() -> str:
    """The socket peer, or the address a trusted proxy forwarded (TRUST_PROXY_HEADERS)."""
    return (request.remote_addr or "")[:64]


def too_many(wait: int, what: str = "requests") -> NoReturn:
    abort(
        429,
        message=f"Too many {what}; try again in {wait} seconds.",
        headers={"Retry-After": str(wait)},
    )
    raise AssertionError  # abort() raised (flask-smorest leaves it untyped)


def refuse_refresh() -> NoReturn:
    abort(401, message=BAD_REFRESH, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    raise AssertionError


def refuse_link() -> NoReturn:
    abort(400, message=BAD_LINK)
    raise AssertionError


def refuse_field(status: int, field: str, problems: list[str]) -> NoReturn:
    """Refuse a body field in the shape a schema's refusal has (errors.py), `{"detail":
    [{"loc": ["json", field], "msg": ...}]}`, for a rule checked once the user is known."""
    body = {field: problems}
    abort(status, messages={"json": body})
    raise AssertionError


def mail_request(scope: str, email: str) -> None:
    """What both mail-only routes do before mailing: 503 while mail is not configured, then
    the per-address throttle (every request counts)."""
    if not mail.configured():
        logger.warning(mail.NOT_CONFIGURED)
        abort(503, message=mail.NOT_CONFIGURED)
    wait = throttle.reserve_request(scope, email, client_address())
    if wait:
        too_many(wait)


def token_attempt(scope: str) -> int:
    """Reserve one check of a sent token (refresh, link) against the client's failure
    budget: the row's id, for `throttle.forgive` once the token turns out good."""
    wait, attempt = throttle.reserve_failure(scope, client_address())
    if wait:
        too_many(wait)
    return attempt


@blp.route("/api/auth/register")
class Register(MethodView):
    @blp.arguments(RegistrationSchema())
    @blp.response(201, UserSchema)
    @blp.alt_response(
        409, schema=ErrorSchema, description="This email, or a lookalike of it, is registered."
    )
    def post(self, data: dict[str, Any]) -> User:
        """Create an account and mail it a link that verifies the address; log in with
        POST /api/auth/token."""
        user = User(email=data["email"], password_hash=hash_password(data["password"]))
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            abort(409, message="This email is already registered; log in instead.")
        # Registering works without mail (a project that updates may not have set EMAIL_URL
        # yet): the user can ask for the link again later.
        if mail.configured():
            mail.submit(mail.send_verification, user.email, mail.link_base())
        else:
            logger.warning(mail.NOT_CONFIGURED)
        return user


@blp.route("/api/auth/token")
class Token(MethodView):
    @blp.arguments(LoginFormSchema(), location="form")
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, schema=ErrorSchema, description=BAD_LOGIN)
    @blp.alt_response(
        403, schema=ErrorSchema, description=f"REQUIRE_VERIFIED_EMAIL is on: {UNVERIFIED}"
    )
    @blp.alt_response(
        429,
        schema=ErrorSchema,
        description="Too many failed logins for this account; see Retry-After.",
        headers=RETRY_AFTER,
    )
    def post(self, form: dict[str, str]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Exchange an email (as `username`) and password for an access and a refresh token."""
        email = canonical_email(form["username"])
        if not storable(email):
            # Cannot be an account: nothing to count against, same answer as a wrong password.
            verify_password(form["password"], None)
            abort(401, message=BAD_LOGIN, headers={"WWW-Authenticate": "Bearer"})
        client = client_address()
        # Reserved (and committed) before the password is checked: see throttle.py.
        wait = throttle.reserve_attempt(email, client)
        if wait:
            too_many(wait, "failed logins for this account")
        user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        valid = verify_password(form["password"], user.password_hash if user else None)
        if user is None or not valid or not user.is_active:
            abort(401, message=BAD_LOGIN, headers={"WWW-Authenticate": "Bearer"})
        throttle.clear_failures(email, client)
        # abort() above raised otherwise (flask-smorest leaves it untyped): a User here.
        user = cast(User, user)
        if current_app.config["REQUIRE_VERIFIED_EMAIL"] and user.email_verified_at is None:
            abort(403, message=UNVERIFIED)
        return tokens.token_response(user), 200, NO_STORE


@blp.route("/api/auth/refresh")
class Refresh(MethodView):
    @blp.arguments(RefreshTokenSchema())
    @blp.response(200, TokenSchema)
    @bad_json
    @bad_refresh
    @throttled
    def post(self, _data: dict[str, str]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Exchange a refresh token for a new access token and a new refresh token (of the
        same family). The one given is used up: given again, it revokes its whole family."""
        attempt = token_attempt("refresh")
        try:
            # flask-jwt-extended reads `refresh_token` from the body, checks its signature,
            # claims and type, asks security.is_revoked about its row and loads its user.
            verify_jwt_in_request(refresh=True, locations=["json"])
        except RevokedTokenError as error:
            if tokens.reused(error.jwt_data):
                tokens.revoke_family(error.jwt_data.get("fam"))
            refuse_refresh()
        except (JWTExtendedException, jwt.PyJWTError):
            refuse_refresh()
        claims = get_jwt()
        family = claims.get("fam")
        if not isinstance(family, str):
            refuse_refresh()
        if not tokens.mark_used(claims):  # another request used it a moment ago
            tokens.revoke_family(family)
            refuse_refresh()
        throttle.forgive(attempt)
        user: User = current_user
        return tokens.token_response(user, family), 200, NO_STORE


@blp.route("/api/auth/logout")
class Logout(MethodView):
    @blp.arguments(RefreshTokenSchema())
    @blp.response(204)
    @bad_json
    @blp.alt_response(
        401, schema=ErrorSchema, description=f"Not an unexpired refresh token: {BAD_REFRESH}"
    )
    def post(self, data: dict[str, str]) -> None:
        """Revoke a refresh token (one already revoked or rotated but not expired: 204 too;
        an expired one: 401). Its access tokens live on until they expire."""
        claims = tokens.refresh_claims(data["refresh_token"])
        if claims is None:
            refuse_refresh()
        tokens.revoke(claims)


@blp.route("/api/auth/password-reset")
class PasswordReset(MethodView):
    @blp.arguments(EmailSchema())
    @blp.response(202, MessageSchema)
    @bad_json
    @throttled
    @no_mail
    def post(self, data: dict[str, str]) -> dict[str, str]:
        """Mail a password reset link to the account with this email, if there is one (the
        answer is the same either way). The link works once, for PASSWORD_RESET_MINUTES."""
        mail_request("password-reset", data["email"])
        mail.submit(mail.send_password_reset, data["email"], mail.link_base())
        return {"detail": RESET_SENT}


@blp.route("/api/auth/password-reset/confirm")
class PasswordResetConfirm(MethodView):
    @blp.arguments(PasswordResetSchema())
    @blp.response(204)
    @bad_link
    @throttled
    def post(self, data: dict[str, str]) -> None:
        """Set a new password with the token of a reset link. Every access and refresh token
        issued before stops working."""
        attempt = token_attempt("password-reset/confirm")
        user = tokens.reset_token_user(data["token"])
        if user is None:
            refuse_link()
        problems = password_problems(data["password"], user.email)
        if problems:
            throttle.forgive(attempt)  # the link was good; the password was not
            refuse_field(422, "password", problems)
        if not replace_password(user, data["password"], only_if_hash=user.password_hash):
            refuse_link()  # another request used the link a moment ago
        throttle.forgive(attempt)


@blp.route("/api/auth/verify-email")
class VerifyEmail(MethodView):
    @blp.arguments(VerifyEmailSchema())
    @blp.response(204)
    @bad_link
    @throttled
    def post(self, data: dict[str, str]) -> None:
        """Verify the email address with the token of the link mailed to it (once)."""
        attempt = token_attempt("verify-email")
        user = tokens.verify_token_user(data["token"])
        if user is None:
            refuse_link()
        verified = db.session.execute(
            update(User)
            .where(User.id == user.id, User.email == user.email, User.email_verified_at.is_(None))
            .values(email_verified_at=datetime.now(UTC))
        )
        db.session.commit()
        if not getattr(verified, "rowcount", 0):
            refuse_link()  # another request used the link a moment ago
        throttle.forgive(attempt)


@blp.route("/api/auth/verify-email/resend")
class VerifyEmailResend(MethodView):
    @blp.arguments(EmailSchema())
    @blp.response(202, MessageSchema)
    @bad_json
    @throttled
    @no_mail
    def post(self, data: dict[str, str]) -> dict[str, str]:
        """Mail a new verification link to the unverified account with this email, if there
        is one (the answer is the same either way)."""
        mail_request("verify-email/resend", data["email"])
        mail.submit(mail.send_verification, data["email"], mail.link_base())
        return {"detail": RESEND_SENT}


@blp.route("/api/users/me")
class Me(MethodView):
    decorators = [jwt_required()]  # noqa: RUF012 (Flask reads it once)

    @blp.response(200, MeSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="No valid bearer token.")
    @blp.doc(security=[{SCHEME: []}])
    def get(self) -> User:
        """The account the bearer token belongs to."""
        user: User = current_user
        return user


@blp.route("/api/users/me/password")
class MePassword(MethodView):
    decorators = [jwt_required()]  # noqa: RUF012 (Flask reads it once)

    @blp.arguments(PasswordChangeSchema())
    @blp.response(204)
    @blp.alt_response(
        400,
        schema=ErrorSchema,
        description=f"{WRONG_PASSWORD} (Or the body is not valid JSON.)",
    )
    @blp.alt_response(401, schema=ErrorSchema, description="No valid bearer token.")
    @blp.alt_response(
        429,
        schema=ErrorSchema,
        description="Too many wrong passwords for this account (the login throttle's count).",
        headers=RETRY_AFTER,
    )
    @blp.doc(security=[{SCHEME: []}])
    def post(self, data: dict[str, str]) -> None:
        """Change the password. Every access and refresh token issued before stops working,
        the one of this request included: log in again."""
        user: User = current_user
        client = client_address()
        # A wrong current password counts as a failed login: a stolen access token is no way
        # around the login throttle to guess the password.
        wait = throttle.reserve_attempt(user.email, client)
        if wait:
            too_many(wait, "failed logins for this account")
        if not verify_password(data["current_password"], user.password_hash):
            refuse_field(400, "current_password", [WRONG_PASSWORD])
        throttle.clear_failures(user.email, client)
        problems = password_problems(data["new_password"], user.email)
        if problems:
            refuse_field(422, "new_password", problems)
        replace_password(user, data["new_password"])


def replace_password(user: User, password: str, *, only_if_hash: str | None = None) -> bool:
    """Store a new password and move the user's token version on, so every access token
    issued before is refused, and revoke their refresh tokens; reset links die with the old
    hash. With `only_if_hash`, only while the stored hash is still that one (a reset link is
    used once, even by two requests at a time). False when nothing changed."""
    conditions = [User.id == user.id]
    if only_if_hash is not None:
        conditions.append(User.password_hash == only_if_hash)
    changed = db.session.execute(
        update(User)
        .where(*conditions)
        .values(password_hash=hash_password(password), token_version=User.token_version + 1)
        .execution_options(synchronize_session=False)
    )
    if not getattr(changed, "rowcount", 0):
        db.session.rollback()
        return False
    db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    db.session.commit()
    return True
