"""`flask users create EMAIL`: create a user from the shell.

The password comes from the USER_PASSWORD environment variable, or else from a prompt that
does not echo it; never from a command-line option, which would land in the shell history.
"""

import os

import click
import marshmallow as ma
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .models import User
from .schemas import RegistrationSchema
from .security import hash_password

users_cli = AppGroup("users", help="Manage the users who can log in.")


@users_cli.command("create")
@click.argument("email")
def create(email: str) -> None:
    """Create a user who can log in with EMAIL."""
    password = os.environ.get("USER_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        data = RegistrationSchema().load({"email": email, "password": password})
    except ma.ValidationError as error:
        problems = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.messages_dict.items()
        )
        raise click.ClickException(problems) from None
    user = User(email=data["email"], password_hash=hash_password(data["password"]))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException(f"{data['email']} is already registered.") from None
    click.echo(f"created user {user.id} <{user.email}>", err=True)
