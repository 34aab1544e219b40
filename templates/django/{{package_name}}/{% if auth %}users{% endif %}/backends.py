"""Log in with an email address as well as a username."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.http import HttpRequest


class EmailBackend(ModelBackend):
    """`authenticate(request, email=..., password=...)`, the email in its canonical form
    (emails.py), compared as stored; the admin's username login is ModelBackend's, listed
    before this one."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = kwargs.get("email")
        if email is None or password is None:
            return None
        # The oldest account first: where lookalikes from before canonical emails share an
        # address, it is the one that kept it (users/migrations/0002_canonical_emails.py).
        user = User._default_manager.filter(email=email).order_by("id").first()
        if user is None:
            # Hash anyway, so an unknown email takes as long to refuse as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
