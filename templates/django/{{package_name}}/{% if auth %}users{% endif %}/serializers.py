"""Request and response shapes of the user endpoints. No password or hash ever goes out."""

from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from ..items.serializers import StrictCharField
from .emails import canonical_email, is_plain_ascii
from .links import MAX_TOKEN_LENGTH as MAX_LINK_TOKEN_LENGTH
from .models import Account
from .tokens import MAX_TOKEN_LENGTH


class CanonicalEmailField(serializers.EmailField):
    """An email in its canonical form (emails.py), checked after canonicalising: a lookalike
    of a registered address (in fullwidth letters, with a long s) is that address, hence a
    409, not a 400."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        email = canonical_email(data)
        if not is_plain_ascii(email):
            self.fail("invalid")
        return super().to_internal_value(email)


class PasswordField(StrictCharField):
    """A new password, judged by AUTH_PASSWORD_VALIDATORS alone, lengths included: a NUL or a
    lone surrogate is a control character to them (validators.py), reported with every other
    rule the password breaks rather than instead of them."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trim_whitespace=False, write_only=True, **kwargs)
        characters = (ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)
        self.validators = [rule for rule in self.validators if not isinstance(rule, characters)]


class UserSerializer(serializers.ModelSerializer[User]):
    created_at = serializers.DateTimeField(source="date_joined", read_only=True)

    class Meta:
        model = get_user_model()
        fields = ("id", "email", "created_at")
        read_only_fields = ("id", "email")


class RegistrationSerializer(serializers.Serializer[dict[str, str]]):
    # 150: the email is also the username, and Django's username holds 150 characters.
    email = CanonicalEmailField(max_length=150)
    password = PasswordField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Every rule the password breaks (settings.AUTH_PASSWORD_VALIDATORS), each named.
        candidate = get_user_model()(username=attrs["email"], email=attrs["email"])
        try:
            password_validation.validate_password(attrs["password"], candidate)
        except ValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from None
        return attrs


class LoginSerializer(serializers.Serializer[dict[str, str]]):
    """The OAuth2 password flow's form: `username` is the email."""

    username = serializers.CharField(trim_whitespace=True)
    password = serializers.CharField(trim_whitespace=False, write_only=True)


class TokenSerializer(serializers.Serializer[dict[str, Any]]):
    access_token = serializers.CharField()
    token_type = serializers.ChoiceField(choices=["bearer"])
    expires_in = serializers.IntegerField(help_text="Seconds until the token expires")
    refresh_token = serializers.CharField(help_text="For POST /api/auth/refresh")
    refresh_expires_in = serializers.IntegerField(
        help_text="Seconds until the refresh token expires"
    )


class ErrorSerializer(serializers.Serializer[dict[str, str]]):
    detail = serializers.CharField()


class MeSerializer(UserSerializer):
    """GET /api/users/me: the user, and whether their email is verified."""

    email_verified = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ("id", "email", "created_at", "email_verified")
        read_only_fields = ("id", "email")

    def get_email_verified(self, user: User) -> bool:
        return Account.of(user).email_verified


class RefreshTokenSerializer(serializers.Serializer[dict[str, str]]):
    refresh_token = StrictCharField(max_length=MAX_TOKEN_LENGTH, trim_whitespace=False)


class EmailSerializer(serializers.Serializer[dict[str, str]]):
    """The address to mail a link to, in its canonical form."""

    email = CanonicalEmailField(max_length=254)


class LinkTokenSerializer(serializers.Serializer[dict[str, str]]):
    """The token of a link a mail carried (links.py)."""

    token = StrictCharField(max_length=MAX_LINK_TOKEN_LENGTH, trim_whitespace=False)


class PasswordResetConfirmSerializer(LinkTokenSerializer):
    # Judged against the user's own email once the token names them (views.py).
    password = PasswordField()


class PasswordChangeSerializer(serializers.Serializer[dict[str, str]]):
    # Far longer than any password the rules accept (128): a longer one is not hashed at all.
    current_password = StrictCharField(max_length=4096, trim_whitespace=False, write_only=True)
    new_password = PasswordField()
