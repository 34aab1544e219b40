"""Request and response shapes of the user endpoints. No password or hash ever goes out."""

from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from rest_framework import serializers

from ..items.serializers import StrictCharField


class UserSerializer(serializers.ModelSerializer[User]):
    created_at = serializers.DateTimeField(source="date_joined", read_only=True)

    class Meta:
        model = get_user_model()
        fields = ("id", "email", "created_at")
        read_only_fields = ("id", "email")


class RegistrationSerializer(serializers.Serializer[dict[str, str]]):
    # 150: the email is also the username, and Django's username holds 150 characters.
    email = serializers.EmailField(max_length=150)
    password = StrictCharField(min_length=8, max_length=128, trim_whitespace=False, write_only=True)

    def validate_email(self, value: str) -> str:
        return value.strip().lower()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Django's AUTH_PASSWORD_VALIDATORS: too short, too common, all digits, like the email.
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


class ErrorSerializer(serializers.Serializer[dict[str, str]]):
    detail = serializers.CharField()
