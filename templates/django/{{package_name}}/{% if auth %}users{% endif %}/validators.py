"""The password rules Django's own validators lack: at most 128 characters, not whitespace
only, no control characters. AUTH_PASSWORD_VALIDATORS lists this one after Django's four
(similar to the email, too short, too common, all digits), so every rule a password breaks is
reported, each in the words FastAPI and Flask projects from the same template use.
"""

import unicodedata

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

MAX_LENGTH = 128


def character_problems(password: str) -> list[str]:
    """The rules Django's validators lack: length cap, whitespace only, control characters."""
    problems = []
    if len(password) > MAX_LENGTH:
        problems.append(
            f"This password is too long. It must contain at most {MAX_LENGTH} characters."
        )
    if password and password.isspace():
        problems.append("This password is entirely whitespace.")
    # Cc: NUL, escapes, line breaks; Cs: lone surrogates, which no database can store.
    if any(unicodedata.category(char) in {"Cc", "Cs"} for char in password):
        problems.append("This password contains a control character.")
    return problems


class PasswordCharactersValidator:
    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        problems = character_problems(password)
        if problems:
            raise ValidationError(problems, code="password_characters")

    def get_help_text(self) -> str:
        return (
            f"Your password can't be longer than {MAX_LENGTH} characters, entirely whitespace, "
            "or contain a control character."
        )
