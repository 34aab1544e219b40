"""POST /api/auth/register, POST /api/auth/token (OAuth2 password flow), GET /api/users/me."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..db import SessionDep
from ..openapi import errors
from . import throttle
from .models import User
from .schemas import Problem, Registration, Token, UserOut
from .security import CurrentUser, create_access_token, hash_password, verify_password

router = APIRouter(tags=["users"])

UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    status.HTTP_401_UNAUTHORIZED: {"model": Problem, "description": "No valid bearer token"}
}
# The same answer for an unknown email and a wrong password: it must not tell which.
BAD_LOGIN = "Incorrect email or password."


@router.post(
    "/api/auth/register",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        **errors(400),  # FastAPI's answer to a body that is not UTF-8 text
        status.HTTP_409_CONFLICT: {
            "model": Problem,
            "description": "This email is already registered",
        },
    },
)
async def register(body: Registration, session: SessionDep) -> User:
    """Create an account; log in with POST /api/auth/token."""
    user = User(email=body.email, password_hash=await hash_password(body.password))
    session.add(user)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail="This email is already registered; log in instead."
        ) from None
    return user


def storable(text: str) -> bool:
    """A value the login_failures table can hold (PostgreSQL refuses NUL; 254 characters)."""
    return len(text) <= 254 and "\x00" not in text and text.isprintable()


@router.post(
    "/api/auth/token",
    response_model=Token,
    responses={
        status.HTTP_401_UNAUTHORIZED: {"model": Problem, "description": BAD_LOGIN},
        status.HTTP_429_TOO_MANY_REQUESTS: {
            "model": Problem,
            "description": "Too many failed logins for this account; see Retry-After",
            "headers": {
                "Retry-After": {
                    "schema": {"type": "integer"},
                },
            },
        },
    },
)
async def log_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep
) -> Token:
    """Exchange an email (as `username`) and password for a bearer token."""
    email = form.username.strip().lower()
    if not storable(email):
        # Cannot be an account: nothing to count against, same answer as a wrong password.
        await verify_password(form.password, None)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=BAD_LOGIN)
    wait = await throttle.seconds_to_wait(session, email)
    if wait:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"Too many failed logins for this account; try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
    user = await session.scalar(select(User).where(User.email == email))
    valid = await verify_password(form.password, user.password_hash if user else None)
    if user is None or not valid or not user.is_active:
        await throttle.record_failure(session, email)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=BAD_LOGIN)
    await throttle.clear_failures(session, email)
    token, lifetime = create_access_token(user.id)
    return Token(access_token=token, expires_in=lifetime)


@router.get("/api/users/me", response_model=UserOut, responses=UNAUTHORIZED)
async def me(user: CurrentUser) -> User:
    """The account the bearer token belongs to."""
    return user
