"""The user endpoints: registration, login (OAuth2 password flow) with refresh tokens, logout,
password reset and change, email verification, and GET /api/users/me.

Every route answers with and without the trailing slash, without a redirect (slashes.py).
"""

from typing import Annotated, Any

from fastapi import (
    APIRouter,
    BackgroundTasks,
    Depends,
    HTTPException,
    Request,
    Response,
    status,
)
from fastapi.exceptions import RequestValidationError
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..config import get_settings
from ..db import SessionDep
from ..jsonbody import StrictJSONRoute
from ..openapi import Message, ValidationErrors, errors
from ..timestamps import utc_now
from . import mail, throttle, tokens
from .emails import canonical_email
from .models import User
from .passwords import password_problems
from .schemas import (
    Accepted,
    EmailRequest,
    EmailVerification,
    Me,
    PasswordChange,
    PasswordResetConfirm,
    Problem,
    RefreshRequest,
    Registration,
    Token,
    UserOut,
)
from .security import CurrentUser, create_access_token, hash_password, verify_password

router = APIRouter(tags=["users"], route_class=StrictJSONRoute)

UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    status.HTTP_401_UNAUTHORIZED: {
        "model": Problem,
        "description": 'No valid bearer token: `{"detail": "Not authenticated."}`',
    }
}
# The same answer for an unknown email and a wrong password: it must not tell which.
BAD_LOGIN = "Incorrect email or password."
# RFC 6749 section 5.1: no browser or proxy may keep a response that carries a token.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
UNVERIFIED = "Verify your email address before logging in."
BAD_REFRESH_TOKEN = "Invalid or expired refresh token."  # noqa: S105 (a message)
BAD_LINK = "This link is invalid or has expired; ask for a new one."
RESET_REQUESTED = "If that email has an account, a reset link is on its way."
RESEND_REQUESTED = "If that email has an unverified account, a new link is on its way."
WRONG_PASSWORD = "The current password is not correct."  # noqa: S105 (a message)


def problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


THROTTLED: dict[int | str, dict[str, Any]] = {
    status.HTTP_429_TOO_MANY_REQUESTS: {
        "model": Problem,
        "description": "Too many requests; see Retry-After",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    }
}
MAIL_NOT_CONFIGURED: dict[int | str, dict[str, Any]] = {
    status.HTTP_503_SERVICE_UNAVAILABLE: problem(f"`{mail.NOT_CONFIGURED}`")
}
# The login throttle's answer: POST /api/auth/token and POST /api/users/me/password share it.
LOGIN_THROTTLED: dict[int | str, dict[str, Any]] = {
    status.HTTP_429_TOO_MANY_REQUESTS: {
        "model": Problem,
        "description": "Too many failed logins for this account from this address, or "
        "from all addresses; see Retry-After",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    }
}
REFRESH_REFUSED: dict[int | str, dict[str, Any]] = {
    status.HTTP_401_UNAUTHORIZED: problem(f"Not a live refresh token: `{BAD_REFRESH_TOKEN}`")
}
LINK_REFUSED: dict[int | str, dict[str, Any]] = {
    status.HTTP_400_BAD_REQUEST: problem(
        f"`{BAD_LINK}`, or a body that is not JSON text, or JSON no API should take"
    )
}


def too_many_requests(wait: int) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        detail=f"Too many requests; try again in {wait} seconds.",
        headers={"Retry-After": str(wait)},
    )


def too_many_failed_logins(wait: int) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        detail=f"Too many failed logins for this account; try again in {wait} seconds.",
        headers={"Retry-After": str(wait)},
    )


def link(request: Request, page: str, token: str) -> str:
    """FRONTEND_URL's `page` with the token (URL-safe as it is); the API's own origin when
    FRONTEND_URL is not set."""
    base = get_settings().frontend_url or f"{request.url.scheme}://{request.url.netloc}"
    return f"{base}/{page}?token={token}"


def mail_verification_link(request: Request, background: BackgroundTasks, user: User) -> None:
    background.add_task(
        mail.deliver,
        "verify_email",
        "Verify your email address",
        user.email,
        link=link(request, "verify-email", tokens.verify_email_token(user)),
        days=tokens.VERIFY_EMAIL_DAYS,
    )


def mail_required() -> None:
    """A 503 for a route that sends mail, when EMAIL_URL is not set."""
    if not mail.configured():
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=mail.NOT_CONFIGURED)


async def mail_recipient(
    session: SessionDep, request: Request, kind: str, email: str
) -> User | None:
    """What both mail-only routes do before mailing: 503 without mail, the per-address
    throttle, then the active account with this email (None when there is none)."""
    mail_required()
    client = throttle.client_address(request)
    wait, _ = await throttle.hit(session, kind, email, client, throttle.MAIL_LIMITS)
    if wait:
        raise too_many_requests(wait)
    user = await session.scalar(select(User).where(User.email == email))
    return user if user is not None and user.is_active else None


async def token_attempt(session: SessionDep, request: Request, kind: str) -> int | None:
    """Reserve one check of a sent token (refresh, link) against the client's failure
    budget; the caller forgives it once the token turns out good."""
    client = throttle.client_address(request)
    wait, hit = await throttle.hit(session, kind, client, client, throttle.TOKEN_FAILURE_LIMITS)
    if wait:
        raise too_many_requests(wait)
    return hit


async def token_pair(session: SessionDep, user: User, family: str | None = None) -> Token:
    """A new access token and refresh token (committed), for the token response."""
    access_token, lifetime = create_access_token(user.id, user.token_version)
    refresh_token, refresh_lifetime = tokens.issue_refresh_token(session, user, family)
    await session.commit()
    return Token(
        access_token=access_token,
        expires_in=lifetime,
        refresh_token=refresh_token,
        refresh_expires_in=refresh_lifetime,
    )


def weak_password(field: str, problems: list[str]) -> RequestValidationError:
    """The 422 of a password the body's own validation could not judge (it needed the user)."""
    return RequestValidationError(
        [{"loc": ("body", field), "msg": " ".join(problems), "type": "password_too_weak"}]
    )


@router.post(
    "/api/auth/register",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        **errors(400),  # a body that is not JSON text, or JSON no API should take
        status.HTTP_409_CONFLICT: {
            "model": Problem,
            "description": "This email is already registered",
        },
    },
)
async def register(
    body: Registration, request: Request, background: BackgroundTasks, session: SessionDep
) -> User:
    """Create an account and mail it a verification link (POST /api/auth/verify-email takes
    its token); log in with POST /api/auth/token. The email is kept in its canonical form
    (Unicode NFKC, case-folded, trimmed): another spelling of a registered address is a 409
    like the address itself."""
    user = User(email=body.email, password_hash=await hash_password(body.password))
    session.add(user)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail="This email is already registered; log in instead."
        ) from None
    # Without mail the account is still made (a WARNING line says no link went out).
    if mail.configured():
        mail_verification_link(request, background, user)
    return user


def storable(email: str) -> bool:
    """A value the login_failures table can hold (PostgreSQL refuses NUL; 254 characters)."""
    return len(email) <= 254 and email.isprintable()


def bad_login() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=BAD_LOGIN, headers={"WWW-Authenticate": "Bearer"}
    )


@router.post(
    "/api/auth/token",
    response_model=Token,
    responses={
        status.HTTP_401_UNAUTHORIZED: {"model": Problem, "description": BAD_LOGIN},
        status.HTTP_403_FORBIDDEN: problem(
            f"REQUIRE_VERIFIED_EMAIL is on and the email is not verified: `{UNVERIFIED}`"
        ),
        **LOGIN_THROTTLED,
    },
)
async def log_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    response: Response,
    session: SessionDep,
) -> Token:
    """Exchange an email (as `username`) and password for a bearer token, and a refresh token
    for POST /api/auth/refresh."""
    email = canonical_email(form.username)
    if not storable(email):
        # Cannot be an account: nothing to count against, same answer as a wrong password.
        await verify_password(form.password, None)
        raise bad_login()
    client = throttle.client_address(request)
    # The attempt is reserved (and counted) before the password is checked: see throttle.py.
    wait = await throttle.reserve(session, email, client)
    if wait:
        raise too_many_failed_logins(wait)
    user = await session.scalar(select(User).where(User.email == email))
    valid = await verify_password(form.password, user.password_hash if user else None)
    if user is None or not valid or not user.is_active:
        raise bad_login()
    await throttle.clear(session, email, client)
    if get_settings().require_verified_email and not user.email_verified:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=UNVERIFIED)
    response.headers.update(NO_STORE)
    return await token_pair(session, user)


@router.post(
    "/api/auth/refresh",
    response_model=Token,
    responses={**errors(400, 422), **REFRESH_REFUSED, **THROTTLED},
)
async def refresh(
    body: RefreshRequest, request: Request, response: Response, session: SessionDep
) -> Token:
    """Trade a refresh token for a new access token and a new refresh token (the one sent is
    then used up). A refresh token sent a second time ends every token of its login."""
    hit = await token_attempt(session, request, throttle.REFRESH)
    rotated = await tokens.rotate(session, body.refresh_token)
    if rotated is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=BAD_REFRESH_TOKEN)
    user, family = rotated
    await throttle.forgive(session, hit)
    response.headers.update(NO_STORE)
    return await token_pair(session, user, family)


@router.post(
    "/api/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**errors(400, 422), **REFRESH_REFUSED},
)
async def log_out(body: RefreshRequest, session: SessionDep) -> Response:
    """Revoke a refresh token, and every other of its login (204 for one revoked or used
    before too, while it has not expired; 401 for an expired one). Access tokens already
    handed out stay valid until they expire."""
    if not await tokens.log_out(session, body.refresh_token):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=BAD_REFRESH_TOKEN)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/api/auth/password-reset",
    response_model=Accepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses={**errors(400, 422), **THROTTLED, **MAIL_NOT_CONFIGURED},
)
async def request_password_reset(
    body: EmailRequest, request: Request, background: BackgroundTasks, session: SessionDep
) -> Accepted:
    """Mail a password-reset link (valid PASSWORD_RESET_MINUTES, once) to the account with
    this email. The answer is the same whether or not there is one."""
    user = await mail_recipient(session, request, throttle.PASSWORD_RESET, body.email)
    if user is not None:
        background.add_task(
            mail.deliver,
            "password_reset",
            "Reset your password",
            user.email,
            link=link(request, "reset-password", tokens.password_reset_token(user)),
            minutes=get_settings().password_reset_minutes,
        )
    return Accepted(detail=RESET_REQUESTED)


@router.post(
    "/api/auth/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**LINK_REFUSED, **errors(422), **THROTTLED},
)
async def confirm_password_reset(
    body: PasswordResetConfirm, request: Request, session: SessionDep
) -> Response:
    """Set a new password with the token of a reset link. Every token the user held before
    (access and refresh) stops working, and so does the link."""
    hit = await token_attempt(session, request, throttle.PASSWORD_RESET_CONFIRM)
    user = await tokens.user_for_password_reset(session, body.token)
    if user is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=BAD_LINK)
    await throttle.forgive(session, hit)
    problems = password_problems(body.password, user.email)
    if problems:
        await session.commit()
        raise weak_password("password", problems)
    user.password_hash = await hash_password(body.password)
    await tokens.revoke_all(session, user)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/api/auth/verify-email",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**LINK_REFUSED, **errors(422), **THROTTLED},
)
async def verify_email(body: EmailVerification, request: Request, session: SessionDep) -> Response:
    """Mark the email verified with the token of a verification link (once)."""
    hit = await token_attempt(session, request, throttle.VERIFY_EMAIL)
    user = await tokens.user_to_verify(session, body.token)
    if user is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=BAD_LINK)
    await throttle.forgive(session, hit)
    user.email_verified_at = utc_now()
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/api/auth/verify-email/resend",
    response_model=Accepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses={**errors(400, 422), **THROTTLED, **MAIL_NOT_CONFIGURED},
)
async def resend_verification(
    body: EmailRequest, request: Request, background: BackgroundTasks, session: SessionDep
) -> Accepted:
    """Mail a new verification link to the account with this email, if it is not verified
    yet. The answer is the same whether or not there is one."""
    user = await mail_recipient(session, request, throttle.VERIFY_EMAIL_RESEND, body.email)
    if user is not None and not user.email_verified:
        mail_verification_link(request, background, user)
    return Accepted(detail=RESEND_REQUESTED)


@router.get("/api/users/me", response_model=Me, responses=UNAUTHORIZED)
async def me(user: CurrentUser) -> User:
    """The account the bearer token belongs to."""
    return user


@router.post(
    "/api/users/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        **UNAUTHORIZED,
        status.HTTP_400_BAD_REQUEST: {
            "model": ValidationErrors | Message,
            "description": "The current password is wrong (`loc`: "
            '`["body", "current_password"]`), or the body is not JSON text, or JSON no API '
            "should take",
        },
        **errors(422),
        **LOGIN_THROTTLED,
    },
)
async def change_password(
    body: PasswordChange, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    """Change the password. Every token issued before (access and refresh, this request's
    own included) stops working: log in again with the new password.

    A wrong current password is a failed login for the account from this address (the login
    throttle's count, so a stolen access token cannot guess the password either); over its
    limit the answer is 429 before the password is checked, and a right one clears this
    address's failures as a login does."""
    client = throttle.client_address(request)
    # End the transaction that loaded the user: the reservation starts its own, as at login.
    await session.commit()
    wait = await throttle.reserve(session, user.email, client)
    if wait:
        raise too_many_failed_logins(wait)
    if not await verify_password(body.current_password, user.password_hash):
        wrong = [{"loc": ["body", "current_password"], "msg": WRONG_PASSWORD, "type": "wrong"}]
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=wrong)
    await throttle.clear(session, user.email, client)
    problems = password_problems(body.new_password, user.email)
    if problems:
        raise weak_password("new_password", problems)
    user.password_hash = await hash_password(body.new_password)
    await tokens.revoke_all(session, user)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
