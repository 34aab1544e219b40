"""POST /api/auth/register, POST /api/auth/token (OAuth2 password flow), GET /api/users/me."""

from typing import Any, cast

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import AccessToken

from . import throttle
from .serializers import (
    ErrorSerializer,
    LoginSerializer,
    RegistrationSerializer,
    TokenSerializer,
    UserSerializer,
)

# The same answer for an unknown email and a wrong password: it must not tell which.
BAD_LOGIN = "Incorrect email or password."
UNAUTHORIZED = OpenApiResponse(ErrorSerializer, description="No valid bearer token.")


class RegisterView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Create an account; log in with POST /api/auth/token",
        request=RegistrationSerializer,
        responses={
            201: UserSerializer,
            400: OpenApiResponse(description="An invalid email or password."),
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
        if users.filter(email__iexact=email).exists():
            return taken
        try:
            with transaction.atomic():
                # The email is the username too, so Django's admin and createsuperuser agree.
                user = users.create_user(
                    username=email, email=email, password=registration.validated_data["password"]
                )
        except IntegrityError:  # registered at the same moment by another request
            return taken
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
            400: OpenApiResponse(description="A missing field."),
            401: OpenApiResponse(ErrorSerializer, description=BAD_LOGIN),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many failed logins for this account; see Retry-After.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        form = LoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        email: str = form.validated_data["username"].lower()
        password: str = form.validated_data["password"]
        refused = Response(
            {"detail": BAD_LOGIN},
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": "Bearer"},
        )
        if len(email) > 254:
            # Cannot be an account: nothing to count against, same answer as a wrong password.
            return refused
        wait = throttle.seconds_to_wait(email)
        if wait:
            # DRF answers 429 with Retry-After and adds the wait to the message.
            raise Throttled(wait=wait, detail="Too many failed logins for this account.")
        user = authenticate(request, email=email, password=password)
        if user is None:
            throttle.record_failure(email)
            return refused
        throttle.clear_failures(email)
        token: Any = AccessToken.for_user(user)
        body = {
            "access_token": str(token),
            "token_type": "bearer",
            "expires_in": int(token.lifetime.total_seconds()),
        }
        return Response(body)


class MeView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        summary="The account the bearer token belongs to",
        responses={200: UserSerializer, 401: UNAUTHORIZED},
    )
    def get(self, request: Request) -> Response:
        # IsAuthenticated lets only real users this far, never AnonymousUser.
        return Response(UserSerializer(cast(User, request.user)).data)
