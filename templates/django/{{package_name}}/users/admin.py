"""The users' admin: Django's own, with the API's rule that an email belongs to one user (the
form compares its canonical form, emails.py, with the stored ones, and says so when another
user has it) and each user's account inline."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest

from .emails import canonical_email
from .models import Account, User


class UniqueEmailChangeForm(UserChangeForm[User]):
    def clean_email(self) -> str:
        email = canonical_email(self.cleaned_data.get("email") or "")
        others = User.objects.filter(email=email).exclude(pk=self.instance.pk)
        if email and others.exists():
            raise forms.ValidationError("Another user already has this email.")
        return email


class AccountInline(admin.StackedInline[Account, User]):
    """Whether the email is verified (set or clear it here); the token version is the API's."""

    model = Account
    can_delete = False
    fields = ("email_verified_at", "token_version")
    readonly_fields = ("token_version",)


@admin.register(User)
class EmailUserAdmin(UserAdmin[User]):
    form = UniqueEmailChangeForm
    inlines = (AccountInline,)

    def get_inlines(
        self, request: HttpRequest, obj: User | None
    ) -> list[type[InlineModelAdmin[Any, Any]]]:
        # A new user gets their account from signals.py, once saved: not from the add form.
        return list(self.inlines) if obj is not None else []
