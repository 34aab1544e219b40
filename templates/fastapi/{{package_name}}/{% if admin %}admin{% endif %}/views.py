"""The admin's `Item` and `User` screens: list, search, create, edit, delete.

A user's password hash is never shown, nor editable as text: the user form has a "Set
password" field instead, checked by the password policy (users/passwords.py) and hashed as the
API hashes (users/security.py). Emails take their canonical form (users/emails.py) and pass
the API's checks; item names and descriptions, the API's limits.
"""

import logging
from typing import Any, ClassVar

from pydantic_core import PydanticCustomError
from sqladmin import ModelView
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker
from starlette.requests import Request
from wtforms import (
    BooleanField,
    Field,
    Form,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length

from ..db import engine
from ..items.models import Item
from ..items.schemas import storable
from ..users.emails import canonical_email
from ..users.models import User
from ..users.passwords import password_problems
from ..users.schemas import valid_email
from ..users.security import hash_password
from .access import StaffForm, remember

logger = logging.getLogger(__name__)
# The admin's sessions: SQLAdmin changes the settings of the sessions it is given.
AdminSession = async_sessionmaker(engine, expire_on_commit=False)
NOBODY = "(nobody: no user sees it)"


class NotSaved(ValueError):
    """Why a record was not saved, in words fit for the page (SQLAdmin shows the text)."""


class NoTracebackForNotSaved(logging.Filter):
    """SQLAdmin logs every save it could not make as an error, with a traceback; a NotSaved is
    the admin's answer to a form (an email already taken, say), not an error of the app."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], NotSaved))


logging.getLogger("sqladmin.application").addFilter(NoTracebackForNotSaved())


def sentence(message: str) -> str:
    """The API's lower-case message as a sentence of the form's."""
    return f"{message[:1].upper()}{message[1:]}."


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def canonical(value: Any) -> Any:
    return canonical_email(value) if isinstance(value, str) else value


def storable_text(_form: Form, field: Field) -> None:
    """Text a database can store (no NUL, no lone surrogate), as the API requires."""
    try:
        storable(field.data or "")
    except ValueError as error:
        raise ValidationError(sentence(str(error))) from None


def email_checks(_form: Form, field: Field) -> None:
    """The checks POST /api/auth/register makes of an email."""
    try:
        valid_email(field.data or "")
    except PydanticCustomError as error:
        raise ValidationError(sentence(error.message())) from None


def acceptable_password(form: Form, field: Field) -> None:
    """The password policy, for a new password; blank keeps the current one (a new user
    needs one: UserView.on_model_change)."""
    if field.data:
        problems = password_problems(field.data, form["email"].data or "")
        if problems:
            raise ValidationError(" ".join(problems))


def owner_id(value: Any) -> int | None:
    """An owner's id from the form's select ("" for nobody)."""
    return int(value) if value not in (None, "") else None


class StaffModelView(ModelView):
    form_base_class = StaffForm
    can_export = False  # every column, in a file: the lists and forms choose theirs
    page_size = 50

    async def on_model_change(
        self, data: dict[str, Any], model: Any, is_created: bool, request: Request
    ) -> None:
        data.pop("csrf_token", None)  # a field of the form, not of the model

    async def insert_model(self, request: Request, data: dict[str, Any]) -> Any:
        try:
            return await super().insert_model(request, data)
        except SQLAlchemyError as error:
            raise self.not_saved(error) from None

    async def update_model(self, request: Request, pk: str, data: dict[str, Any]) -> Any:
        try:
            return await super().update_model(request, pk, data)
        except SQLAlchemyError as error:
            raise self.not_saved(error) from None

    def not_saved(self, error: SQLAlchemyError) -> NotSaved:
        """A database error's text quotes the statement and its values (a password hash among
        them): show and log only what kind of error it was."""
        logger.warning("admin: %s could not be saved (%s)", self.name, type(error).__name__)
        return NotSaved("The record could not be saved: it conflicts with another one.")


class ItemForm(StaffForm):
    # Trimmed, then required: a name of spaces only is no name (as in the API).
    name = StringField("Name", [DataRequired(), Length(max=100), storable_text], filters=[strip])
    description = TextAreaField("Description", [Length(max=2000), storable_text], default="")


def owner_email(item: Item, _attribute: str, request: Request) -> str:
    emails: dict[int, str] = getattr(request.state, "owner_emails", {})
    return emails.get(item.owner_id, "") if item.owner_id is not None else ""


class ItemView(StaffModelView, model=Item):
    name = "Item"
    name_plural = "Items"
    icon = "fa-solid fa-list"
    column_list: ClassVar = [Item.id, Item.name, Item.description, Item.owner_id, Item.created_at]
    column_labels: ClassVar = {Item.owner_id: "Owner"}
    column_formatters: ClassVar = {Item.owner_id: owner_email}
    column_formatters_detail: ClassVar = {Item.owner_id: owner_email}
    column_searchable_list: ClassVar = [Item.name]
    column_sortable_list: ClassVar = [Item.id, Item.name, Item.created_at]
    column_default_sort: ClassVar = [(Item.created_at, True)]
    form_columns: ClassVar = [Item.name, Item.description, Item.owner_id]

    async def scaffold_form(self, rules: list[str] | None = None) -> type[Form]:
        """The item form, with every user to choose the owner from (by email)."""
        async with AdminSession() as session:
            users = (await session.execute(select(User.id, User.email).order_by(User.email))).all()
        owner = SelectField("Owner", choices=[("", NOBODY), *users], coerce=owner_id, default="")
        return type("ItemForm", (ItemForm,), {"owner_id": owner})

    async def list(self, request: Request) -> Any:
        """The page of items, and their owners' emails for `owner_email`."""
        page = await super().list(request)
        await self.load_owner_emails(request, {item.owner_id for item in page.rows})
        return page

    async def get_object_for_details(self, request: Request) -> Any:
        item = await super().get_object_for_details(request)
        if item is not None:
            await self.load_owner_emails(request, {item.owner_id})
        return item

    async def load_owner_emails(self, request: Request, ids: set[int | None]) -> None:
        async with AdminSession() as session:
            rows = await session.execute(
                select(User.id, User.email).where(User.id.in_(ids - {None}))
            )
        request.state.owner_emails = {user_id: email for user_id, email in rows}


class UserForm(StaffForm):
    email = StringField(
        "Email", [DataRequired(), Length(max=254), email_checks], filters=[canonical]
    )
    is_active = BooleanField("Active", default=True)
    is_staff = BooleanField("Staff")
    new_password = PasswordField(
        "Set password",
        [acceptable_password],
        description="Leave blank to keep the current password.",
        # Never filled in by the browser with the logged-in user's own saved password.
        render_kw={"autocomplete": "new-password"},
    )


class UserView(StaffModelView, model=User):
    name = "User"
    name_plural = "Users"
    icon = "fa-solid fa-users"
    # Never the password hash: not in the list, the details, the form or a search.
    column_list: ClassVar = [User.id, User.email, User.is_active, User.is_staff, User.created_at]
    column_details_list: ClassVar = column_list
    column_labels: ClassVar = {User.is_active: "Active", User.is_staff: "Staff"}
    column_searchable_list: ClassVar = [User.email]
    column_sortable_list: ClassVar = [User.id, User.email, User.created_at]
    column_default_sort: ClassVar = [(User.id, False)]
    form = UserForm
    form_columns: ClassVar = [User.email, User.is_active, User.is_staff]

    async def on_model_change(
        self, data: dict[str, Any], model: Any, is_created: bool, request: Request
    ) -> None:
        await super().on_model_change(data, model, is_created, request)
        password = data.pop("new_password", "")
        if password:
            model.password_hash = await hash_password(password)
            # As a password change through the API: every token issued before stops working.
            model.token_version = (model.token_version or 0) + 1
        elif is_created:
            raise NotSaved("A new user needs a password.")
        async with AdminSession() as session:
            taken = select(User.id).where(User.email == data["email"], User.id != model.id)
            if await session.scalar(taken) is not None:
                raise NotSaved("A user with this email already exists.")

    async def after_model_change(
        self, data: dict[str, Any], model: Any, is_created: bool, request: Request
    ) -> None:
        # A staff user who set their own password stays logged in (their other sessions end).
        current = getattr(request.state, "admin_user", None)
        if current is not None and current.id == model.id:
            remember(request, model)

    async def delete_model(self, request: Request, pk: Any) -> None:
        """The user and their items, in one transaction, as the foreign key's ON DELETE
        CASCADE would (on SQLite too, which leaves it off)."""
        async with AdminSession.begin() as session:
            user = await session.get(User, int(pk))
            if user is not None:
                await session.execute(delete(Item).where(Item.owner_id == user.id))
                await session.delete(user)
