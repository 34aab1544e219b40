"""Create a user from the shell: `python -m <package>.users create EMAIL`.

The password comes from the USER_PASSWORD environment variable, or else from a prompt that
does not echo it; never from a command-line flag, which would land in the shell history.
"""

import argparse
import asyncio
import getpass
import os
import sys

from pydantic import ValidationError
from sqlalchemy import pool
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from ..config import get_settings
from ..db import async_database_url
from .models import User
from .schemas import Registration
from .security import hash_password


def read_password() -> str:
    password = os.environ.get("USER_PASSWORD")
    if password:
        return password
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != password:
        raise SystemExit("error: the passwords differ; run the command again.")
    return password


async def create(email: str, password: str) -> User:
    try:
        registration = Registration(email=email, password=password)
    except ValidationError as exc:
        problems = "; ".join(f"{error['loc'][-1]}: {error['msg']}" for error in exc.errors())
        raise SystemExit(f"error: {problems}") from None
    # NullPool: a one-off command has no use for pooled connections.
    engine = create_async_engine(
        async_database_url(get_settings().database_url), poolclass=pool.NullPool
    )
    try:
        async with async_sessionmaker(engine, expire_on_commit=False).begin() as session:
            user = User(
                email=registration.email,
                password_hash=await hash_password(registration.password),
            )
            session.add(user)
    except IntegrityError:
        raise SystemExit(f"error: {registration.email} is already registered.") from None
    finally:
        await engine.dispose()
    return user


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create_parser = commands.add_parser("create", help="create a user who can log in")
    create_parser.add_argument("email")
    args = parser.parse_args(argv)
    user = asyncio.run(create(args.email, read_password()))
    print(f"created user {user.id} <{user.email}>", file=sys.stderr)


if __name__ == "__main__":
    main()
