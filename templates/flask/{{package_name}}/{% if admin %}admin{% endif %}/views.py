"""The admin's `Item` and `User` screens: list, search, create, edit, delete.

A user's password hash is never shown, nor editable as text: the user form has a "Set
password" field instead, checked by the password policy (users/passwords.py) and hashed as
the API hashes (users/security.py). Emails take their canonical form (users/emails.py) and
pass the API's checks.
"""

import logging
from typing import Any

import marshmallow as ma
from flask import flash
from flask_admin.contrib.sqla.fields import QuerySelectField
from flask_admin.contrib.sqla.view import ModelView
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from wtforms import Field, Form, PasswordField, TextAreaField, ValidationError
from wtforms.validators import DataRequired

from ..extensions import db
from ..items.models import Item
from ..items.schemas import storable
from ..users.emails import canonical_email
from ..users.models import User
from ..users.passwords import password_problems
from ..users.schemas import RegistrationSchema
from ..users.security import set_password
from .access import StaffForm, StaffOnly, remember, staff_user

logger = logging.getLogger(__name__)


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def canonical(value: Any) -> Any:
    return canonical_email(value) if isinstance(value, str) else value


def storable_text(_form: Form, field: Field) -> None:
    """Text a database can store (no NUL, no lone surrogate), as the API requires."""
    try:
        storable(field.data or "")
    except ma.ValidationError as error:
        raise ValidationError(" ".join(error.messages)) from None


def valid_email(_form: Form, field: Field) -> None:
    """The checks POST /api/auth/register makes of an email."""
    try:
        RegistrationSchema().load({"email": field.data or ""}, partial=("password",))
    except ma.ValidationError as error:
        raise ValidationError(" ".join(error.messages_dict.get("email", []))) from None


def acceptable_password(form: Form, field: Field) -> None:
    """Required for a new user; for an existing one, blank keeps the current password."""
    if not field.data:
        if getattr(form, "_obj", None) is None:
            raise ValidationError("A new user needs a password.")
        return
    problems = password_problems(field.data, canonical(form["email"].data or ""))
    if problems:
        raise ValidationError(" ".join(problems))


class NewPasswordField(PasswordField):
    """A password typed in the form, stored only as its hash; a password field shows none."""

    def populate_obj(self, obj: Any, name: str) -> None:
        if self.data:
            # As the API's password change: the user's earlier API tokens stop working.
            set_password(obj, self.data)


class OwnerField(QuerySelectField):
    """An item's owner, chosen by email, for its `owner_id` column."""

    def process_data(self, value: Any) -> None:
        super().process_data(db.session.get(User, value) if isinstance(value, int) else value)

    def populate_obj(self, obj: Any, name: str) -> None:
        setattr(obj, name, self.data.id if self.data is not None else None)


def users_by_email() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))


def owner_email(_view: Any, _context: Any, item: Item, _name: str) -> str:
    owner = db.session.get(User, item.owner_id) if item.owner_id is not None else None
    return owner.email if owner is not None else ""


class StaffModelView(StaffOnly, ModelView):
    form_base_class = StaffForm
    page_size = 50

    def handle_view_exception(self, exc: Exception) -> bool:
        """A database error's text quotes the statement and its values (a password hash among
        them): show and log only what kind of error it was."""
        if not isinstance(exc, SQLAlchemyError):
            handled: bool = super().handle_view_exception(exc)
            return handled
        logger.warning("admin: %s could not be saved (%s)", self.name, type(exc).__name__)
        flash("The record could not be saved: it conflicts with another one.", "error")
        return True


class ItemView(StaffModelView):
    column_list = ("id", "name", "description", "owner_id", "created_at")
    column_labels = {"owner_id": "Owner"}  # noqa: RUF012 (Flask-Admin reads it once)
    column_formatters = {"owner_id": owner_email}  # noqa: RUF012
    column_searchable_list = ("name",)
    column_default_sort = ("created_at", True)
    form_columns = ("name", "description", "owner_id")
    form_overrides = {"description": TextAreaField}  # noqa: RUF012
    form_args = {  # noqa: RUF012
        # Trimmed, then required: a name of spaces only is no name (as in the API).
        "name": {"filters": [strip], "validators": [DataRequired(), storable_text]},
        "description": {"validators": [storable_text]},
    }
    form_extra_fields = {  # noqa: RUF012
        "owner_id": OwnerField(
            "Owner",
            query_factory=users_by_email,
            get_label="email",
            allow_blank=True,
            blank_text="(nobody: no user sees it)",
        )
    }


class UserView(StaffModelView):
    column_list = ("id", "email", "is_active", "is_staff", "created_at")
    column_labels = {"is_active": "Active", "is_staff": "Staff"}  # noqa: RUF012
    column_searchable_list = ("email",)
    column_default_sort = ("id", False)
    form_columns = ("email", "is_active", "is_staff", "new_password")
    form_args = {  # noqa: RUF012
        "email": {"filters": [canonical], "validators": [valid_email]},
    }
    form_extra_fields = {  # noqa: RUF012
        "new_password": NewPasswordField(
            "Set password",
            [acceptable_password],
            description="Leave blank to keep the current password.",
            # Never filled in by the browser with the logged-in user's own saved password.
            render_kw={"autocomplete": "new-password"},
        )
    }

    def after_model_change(self, form: Form, model: Any, is_created: bool) -> None:
        # A staff user who set their own password stays logged in (their other sessions end).
        current = staff_user()
        if current is not None and current.id == model.id:
            remember(model)

    def on_model_delete(self, model: Any) -> None:
        # As the foreign key's ON DELETE CASCADE would, on SQLite too (which leaves it off).
        db.session.execute(delete(Item).where(Item.owner_id == model.id))
