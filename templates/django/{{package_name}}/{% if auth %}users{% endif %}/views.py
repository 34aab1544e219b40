"""POST /api/auth/register, POST /api/auth/token (OAuth2 password flow), GET /api/users/me;
and the accounts routes (CONTRACT 3b): refresh, logout, password reset, password change,
email verification."""

from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, Throttled
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..hardening import client_ip
from ..openapi import ERROR_RESPONSES, invalid
from ..parsers import JSONParser
from . import mail, throttle, tokens
from .authentication import NOT_AUTHENTICATED
from .backends import EmailBackend
from .emails import canonical_email
from .links import reset_token_user, verification_token_user
from .models import Account
from .serializers import (
    EmailSerializer,
    ErrorSerializer,
    LinkTokenSerializer,
    LoginSerializer,
    MeSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    RefreshTokenSerializer,
    RegistrationSerializer,
    TokenSerializer,
    UserSerializer,
)

# The same answer for an unknown email and a wrong password: it must not tell which.
BAD_LOGIN = "Incorrect email or password."
UNAUTHORIZED = OpenApiResponse(ErrorSerializer, description=NOT_AUTHENTICATED)
# A token must not be kept by a browser or a proxy (RFC 6749, section 5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
UNVERIFIED = "Verify your email address before logging in."
BAD_REFRESH_TOKEN = "Invalid or expired refresh token."  # noqa: S105 (a message)
BAD_LINK = "This link is invalid or has expired; ask for a new one."
RESET_ON_ITS_WAY = "If that email has an account, a reset link is on its way."
LINK_ON_ITS_WAY = "If that email has an unverified account, a new link is on its way."
WRONG_PASSWORD = "The current password is incorrect."  # noqa: S105 (a message)
TOO_MANY = OpenApiResponse(ErrorSerializer, description="Too many requests; see Retry-After.")
NO_MAIL = OpenApiResponse(ErrorSerializer, description=mail.NOT_CONFIGURED)
NOT_JSON = ERROR_RESPONSES[415]
TOO_MANY_FAILED_LOGINS = "Too many failed logins for this account."
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    description="Seconds to wait before trying again.",
    response=[429],
)


class TooManyRequests(Throttled):
    """429 `{"detail": "Too many requests; try again in N seconds."}` with Retry-After."""

    def __init__(self, wait: int) -> None:
        super().__init__(wait=wait)
        message = f"Too many requests; try again in {wait} seconds."
        self.detail = ErrorDetail(message, code=self.default_code)


def refused_refresh_token() -> Response:
    return Response(
        {"detail": BAD_REFRESH_TOKEN},
        status=status.HTTP_401_UNAUTHORIZED,
        headers={"WWW-Authenticate": "Bearer"},
    )


def mail_not_configured() -> Response:
    return Response({"detail": mail.NOT_CONFIGURED}, status=status.HTTP_503_SERVICE_UNAVAILABLE)


def client_of(request: Request) -> str:
    return client_ip(request) or ""


def active_user(email: str) -> User | None:
    """The active user with this (canonical) email: the oldest, as at login (backends.py)."""
    users = User._default_manager.filter(email=email, is_active=True)
    return users.order_by("id").first()


def token_attempt(scope: str, request: Request) -> int:
    """Reserve one check of a sent token (refresh, link) against the client's failure budget:
    the attempt, for `throttle.token_accepted` once the token turns out good."""
    wait, attempt = throttle.reserve_token_check(scope, client_of(request))
    if wait:
        raise TooManyRequests(wait)
    return attempt


def validate_new_password(password: str, user: User, field: str) -> None:
    """The registration's rules (AUTH_PASSWORD_VALIDATORS), each broken one named at `field`."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise serializers.ValidationError({field: list(error.messages)}) from None


class RegisterView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Create an account; log in with POST /api/auth/token",
        request=RegistrationSerializer,
        responses={
            201: UserSerializer,
            400: invalid("An invalid email or password, each problem named."),
            409: OpenApiResponse(ErrorSerializer, description="This email is already registered."),
        },
    )
    def post(self, request: Request) -> Response:
        registration = RegistrationSerializer(data=request.data)
        registration.is_valid(raise_exception=True)
        email = registration.validated_data["email"]
        taken = Response(
            {"detail": "This email is already registered; log in instead."},
            status=status.HTTP_409_CONFLICT,
        )
        users = get_user_model()._default_manager
        # The canonical form, compared as stored: a lookalike of a registered email is taken.
        if users.filter(email=email).exists():
            return taken
        try:
            with transaction.atomic():
                # The email is the username too, so Django's admin and createsuperuser agree.
                user = users.create_user(
                    username=email, email=email, password=registration.validated_data["password"]
                )
        except IntegrityError:  # the username index: registered at this moment by another request
            return taken
        # Without mail configured, registration still works: a warning instead of the link.
        if mail.is_configured():
            mail.send_verification(request, user)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    # The OAuth2 password flow posts a form; JSON is accepted too.
    parser_classes = (FormParser, MultiPartParser, JSONParser)

    @extend_schema(
        summary="Exchange an email (as `username`) and password for a bearer token",
        request={"application/x-www-form-urlencoded": LoginSerializer},
        responses={
            200: TokenSerializer,
            400: invalid("A missing field."),
            401: OpenApiResponse(ErrorSerializer, description=BAD_LOGIN),
            403: OpenApiResponse(
                ErrorSerializer, description=f"{UNVERIFIED} (with REQUIRE_VERIFIED_EMAIL on)"
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many failed logins for this account; see Retry-After.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        form = LoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        email = canonical_email(form.validated_data["username"])
        password: str = form.validated_data["password"]
        refused = Response(
            {"detail": BAD_LOGIN},
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": "Bearer"},
        )
        if len(email) > 254:
            # Cannot be an account: nothing to count against, same answer as a wrong password.
            return refused
        # The attempt is recorded before the password is checked (throttle.py).
        client = client_ip(request) or ""
        wait = throttle.reserve(email, client)
        if wait:
            # DRF answers 429 with Retry-After and adds the wait to the message.
            raise Throttled(wait=wait, detail=TOO_MANY_FAILED_LOGINS)
        # The backend itself rather than django.contrib.auth.authenticate(): this throttle is
        # the API's, and authenticate()'s failure signal would have django-axes, the admin's
        # throttle, record (and lock) each attempt as well.
        user = EmailBackend().authenticate(request, email=email, password=password)
        if user is None:
            return refused  # the reserved attempt stays, as a failure
        throttle.succeeded(email, client)
        if settings.REQUIRE_VERIFIED_EMAIL and not Account.of(user).email_verified:
            return Response({"detail": UNVERIFIED}, status=status.HTTP_403_FORBIDDEN)
        return Response(tokens.issue_pair(user), headers=NO_STORE)


class MeView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        summary="The account the bearer token belongs to",
        responses={200: MeSerializer, 401: UNAUTHORIZED},
    )
    def get(self, request: Request) -> Response:
        # IsAuthenticated lets only real users this far, never AnonymousUser.
        return Response(MeSerializer(cast(User, request.user)).data)


class RefreshView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Exchange a refresh token for a new pair; the old refresh token is used up",
        request=RefreshTokenSerializer,
        responses={
            200: TokenSerializer,
            400: invalid("A missing or malformed refresh_token."),
            401: OpenApiResponse(
                ErrorSerializer,
                description=f"{BAD_REFRESH_TOKEN} Reusing a used one revokes its whole family.",
            ),
            415: NOT_JSON,
            429: TOO_MANY,
        },
    )
    def post(self, request: Request) -> Response:
        body = RefreshTokenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # Bad tokens count per client address, reserved before the check (throttle.py).
        attempt = token_attempt("refresh", request)
        try:
            pair = tokens.rotate(body.validated_data["refresh_token"])
        except tokens.InvalidRefreshToken:
            return refused_refresh_token()
        throttle.token_accepted(attempt)
        return Response(pair, headers=NO_STORE)


class LogoutView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Revoke a refresh token (204 when it already was)",
        request=RefreshTokenSerializer,
        responses={
            204: None,
            400: invalid("A missing or malformed refresh_token."),
            401: OpenApiResponse(ErrorSerializer, description=BAD_REFRESH_TOKEN),
            415: NOT_JSON,
        },
    )
    def post(self, request: Request) -> Response:
        body = RefreshTokenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            tokens.revoke(body.validated_data["refresh_token"])
        except tokens.InvalidRefreshToken:
            return refused_refresh_token()
        return Response(status=status.HTTP_204_NO_CONTENT)


# POST {"email"}: 202 whether or not an account has this email, and the same work either way
# (mail.py: the mail itself leaves later), throttled per address. No docstring: drf-spectacular
# would make it the description of both operations.
class MailRequestView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    scope: str  # the throttle's
    on_its_way: str  # the 202's detail

    def post(self, request: Request) -> Response:
        body = EmailSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not mail.is_configured():
            return mail_not_configured()
        email = body.validated_data["email"]
        wait = throttle.reserve_mail(self.scope, email, client_of(request))
        if wait:
            raise TooManyRequests(wait)
        self.send(request, email, active_user(email))
        return Response({"detail": self.on_its_way}, status=status.HTTP_202_ACCEPTED)

    def send(self, request: Request, email: str, user: User | None) -> None:
        raise NotImplementedError


def mail_request_schema(summary: str, on_its_way: str) -> Any:
    return extend_schema(
        summary=summary,
        request=EmailSerializer,
        responses={
            202: OpenApiResponse(ErrorSerializer, description=on_its_way),
            400: invalid("A missing or invalid email."),
            415: NOT_JSON,
            429: TOO_MANY,
            503: NO_MAIL,
        },
    )


@extend_schema_view(
    post=mail_request_schema(
        "Mail a password reset link, if an account has this email", RESET_ON_ITS_WAY
    )
)
class PasswordResetView(MailRequestView):
    scope = "password-reset"
    on_its_way = RESET_ON_ITS_WAY

    def send(self, request: Request, email: str, user: User | None) -> None:
        mail.send_password_reset(request, user or mail.stand_in(email), deliver=user is not None)


class PasswordResetConfirmView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Set a new password with the token of a reset link",
        request=PasswordResetConfirmSerializer,
        responses={
            204: None,
            400: invalid(f"{BAD_LINK} Or a weak password, each broken rule named."),
            415: NOT_JSON,
            429: TOO_MANY,
        },
    )
    def post(self, request: Request) -> Response:
        body = PasswordResetConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attempt = token_attempt("password-reset-confirm", request)
        user = reset_token_user(body.validated_data["token"])
        if user is None:
            return Response({"detail": BAD_LINK}, status=status.HTTP_400_BAD_REQUEST)
        throttle.token_accepted(attempt)
        password = body.validated_data["password"]
        validate_new_password(password, user, "password")
        # A new password hash: this token, every other reset token, and every access and
        # refresh token issued before now stop working (signals.py).
        user.set_password(password)
        user.save(update_fields=["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        summary="Change your password; every token issued before stops working",
        request=PasswordChangeSerializer,
        parameters=[RETRY_AFTER],
        responses={
            204: None,
            400: invalid(f"{WRONG_PASSWORD} Or a weak new password, each broken rule named."),
            401: UNAUTHORIZED,
            415: NOT_JSON,
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many failed logins (wrong passwords here count as failed "
                "logins) for this account; see Retry-After.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        body = PasswordChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = cast(User, request.user)
        # A wrong current password is a failed login (throttle.py): a stolen access token
        # must not be a way to guess the password. Reserved before the check, like a login.
        email, client = canonical_email(user.email or ""), client_of(request)
        wait = throttle.reserve(email, client)
        if wait:
            raise Throttled(wait=wait, detail=TOO_MANY_FAILED_LOGINS)
        if not user.check_password(body.validated_data["current_password"]):
            # The reserved attempt stays, as a failure.
            raise serializers.ValidationError({"current_password": [WRONG_PASSWORD]})
        throttle.succeeded(email, client)
        password = body.validated_data["new_password"]
        validate_new_password(password, user, "new_password")
        user.set_password(password)  # ends every earlier token (signals.py)
        user.save(update_fields=["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerifyEmailView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Verify your email address with the token of a verification link",
        request=LinkTokenSerializer,
        responses={
            204: None,
            400: invalid(f"{BAD_LINK} (A used link is invalid too.)"),
            415: NOT_JSON,
            429: TOO_MANY,
        },
    )
    def post(self, request: Request) -> Response:
        body = LinkTokenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attempt = token_attempt("verify-email", request)
        user = verification_token_user(body.validated_data["token"])
        # Conditional, so a link used twice at once verifies once: the other is a used link.
        unverified = Account.objects.filter(pk=getattr(user, "pk", None), email_verified_at=None)
        if user is None or not unverified.update(email_verified_at=timezone.now()):
            return Response({"detail": BAD_LINK}, status=status.HTTP_400_BAD_REQUEST)
        throttle.token_accepted(attempt)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    post=mail_request_schema(
        "Mail a new verification link, if an unverified account has this email", LINK_ON_ITS_WAY
    )
)
class ResendVerificationView(MailRequestView):
    scope = "verify-email"
    on_its_way = LINK_ON_ITS_WAY

    def send(self, request: Request, email: str, user: User | None) -> None:
        deliver = user is not None and not Account.of(user).email_verified
        mail.send_verification(request, user or mail.stand_in(email), deliver=deliver)
