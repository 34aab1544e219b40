"""Django's own user admin, with the API's rule that an email belongs to one user whatever its
case: the form says so instead of the database index turning the save into a server error."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import User


class UniqueEmailChangeForm(UserChangeForm[User]):
    def clean_email(self) -> str:
        email: str = self.cleaned_data.get("email") or ""
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if email and others.exists():
            raise forms.ValidationError("Another user already has this email.")
        return email


admin.site.unregister(User)


@admin.register(User)
class EmailUserAdmin(UserAdmin[User]):
    form = UniqueEmailChangeForm
