"""A hand-written Django project, in one module, doing the generated app's per-request contract
work the way the issue asks of Django (issue 29): the same MIDDLEWARE list, DRF with
hand-written APIViews and a hand-written serializer, and nothing more (no ViewSet, router,
ModelSerializer, pagination class, schema or admin site).

MIDDLEWARE, in the generated project's order (the project's own ones written here, small):
- request_log: drops an insane X-Request-ID (contract.SANE_REQUEST_ID) and writes the one
  access record, a structlog JSON line on stdout (timestamp, level, logger, request_id,
  method, path, status, duration_ms);
- django-guid: the request id (the client's or a new UUID), echoed as X-Request-ID and cleared
  when the response is done;
- django-cors-headers (CORS_ALLOWED_ORIGINS; none in the benchmark), SecurityMiddleware
  (nosniff, Referrer-Policy, COOP, HSTS on HTTPS, the HTTPS redirect when SECURE_SSL_REDIRECT);
- body_cap: a `Content-Length` over MAX_REQUEST_BYTES is a 413 JSON (and `Handler` reads
  a chunked body, up to one byte past the cap, to give it a length);
- json_errors: a non-JSON 4xx under /api/ or /health becomes `{"detail": ...}`;
- WhiteNoise, sessions, CommonMiddleware (the ALLOWED_HOSTS check), CSRF, auth, messages,
  X-Frame-Options, django-axes (the admin's login throttle), as generated.
DRF: JSON in (a strict parser: no NaN, huge numbers or deep nesting) and out (no Accept
header negotiation, as DRF's docs show and the generated project does); session
authentication as generated; with BARE_AUTH=1 first a hand-written bearer check
(contract.token_claims: PyJWT, HS256, exp/iat/iss/sub/type) with the generated app's user
lookup, `User.objects.select_related("account").get(pk=...)`, active, with the
token's version, and IsAuthenticated on the items; item queries are then the user's own.

Routes, through the ORM on the same database (DATABASE_URL, else BARE_SQLITE) and connection
settings (CONN_MAX_AGE=60, CONN_HEALTH_CHECKS, connect_timeout=3) as generated: /health runs
`SELECT 1`; GET /api/items checks `limit` and `offset` and returns the newest items;
GET /api/items/<id> one item; POST /api/items validates the body with the serializer and
inserts (201).
"""

import io
import os
import time
from collections.abc import Callable
from typing import Any

import django
import environ
from contract import (
    ACCESS_LOGGER,
    ALLOWED_HOSTS,
    AUTH,
    CORS_ORIGINS,
    DEBUG,
    MAX_OFFSET,
    MAX_REQUEST_BYTES,
    REQUEST_ID_HEADER,
    SANE_REQUEST_ID,
    SECRET_KEY,
    BadBody,
    access_log,
    page_param,
    parse_json,
    token_claims,
)
from django.apps import AppConfig
from django.conf import settings

env = environ.Env()
DATABASE = env.db_url_config(
    os.environ.get("DATABASE_URL") or f"sqlite:///{os.environ['BARE_SQLITE']}"
)
DATABASE.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
if DATABASE["ENGINE"] == "django.db.backends.postgresql":
    DATABASE.setdefault("OPTIONS", {})["connect_timeout"] = 3


class Users(AppConfig):
    """The generated project's `users` app, for its Account model (the token version)."""

    name = __name__
    label = "users"


settings.configure(
    DEBUG=DEBUG,
    SECRET_KEY=SECRET_KEY,
    ALLOWED_HOSTS=ALLOWED_HOSTS,
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.staticfiles",
        "rest_framework",
        "corsheaders",
        "django_guid",
        "axes",
        f"{__name__}.Users",
    ],
    MIDDLEWARE=[
        f"{__name__}.request_log",
        "django_guid.middleware.guid_middleware",
        "corsheaders.middleware.CorsMiddleware",
        "django.middleware.security.SecurityMiddleware",
        f"{__name__}.body_cap",
        f"{__name__}.json_errors",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "axes.middleware.AxesMiddleware",
    ],
    DATABASES={"default": DATABASE},
    USE_TZ=True,
    TIME_ZONE="UTC",
    STATIC_URL="static/",
    WHITENOISE_USE_FINDERS=True,  # as generated without collectstatic
    SECURE_SSL_REDIRECT=env.bool("SECURE_SSL_REDIRECT", default=not DEBUG),
    SECURE_HSTS_SECONDS=env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365),
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SESSION_COOKIE_SECURE=not DEBUG,
    CSRF_COOKIE_SECURE=not DEBUG,
    DATA_UPLOAD_MAX_MEMORY_SIZE=MAX_REQUEST_BYTES,
    AUTHENTICATION_BACKENDS=[
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ],
    AXES_ONLY_ADMIN_SITE=True,
    AXES_FAILURE_LIMIT=10,
    AXES_LOCKOUT_PARAMETERS=[["username", "ip_address"]],
    AXES_VERBOSE=False,
    DJANGO_GUID={
        "GUID_HEADER_NAME": REQUEST_ID_HEADER,
        "VALIDATE_GUID": False,
        "UUID_FORMAT": "string",
        "EXPOSE_HEADER": False,
    },
    CORS_ALLOWED_ORIGINS=CORS_ORIGINS,
    CORS_ALLOW_HEADERS=("authorization", "content-type", REQUEST_ID_HEADER.lower()),
    CORS_EXPOSE_HEADERS=(REQUEST_ID_HEADER,),
    REST_FRAMEWORK={"DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]},
)
django.setup(set_prefix=False)

from django.contrib.auth.models import User  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.signals import request_finished  # noqa: E402
from django.db import DatabaseError, connection, models  # noqa: E402
from django.http import HttpRequest, HttpResponse, JsonResponse  # noqa: E402
from django.urls import re_path  # noqa: E402
from django_guid import clear_guid, get_guid  # noqa: E402
from rest_framework import authentication, parsers, permissions, serializers  # noqa: E402
from rest_framework.exceptions import (  # noqa: E402
    AuthenticationFailed,
    NotFound,
    ParseError,
    ValidationError,
)
from rest_framework.negotiation import DefaultContentNegotiation  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

Middleware = Callable[[HttpRequest], HttpResponse]
MAX_PK = 2**63 - 1  # ids are BigAutoFields


# --- the project's own middleware ---------------------------------------------------------------


def request_log(get_response: Middleware) -> Middleware:
    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        sent = request.META.get("HTTP_X_REQUEST_ID")
        if sent and not SANE_REQUEST_ID.fullmatch(sent):
            del request.META["HTTP_X_REQUEST_ID"]  # django-guid makes a new one
        response = get_response(request)
        access_log.info(
            "request",
            logger=ACCESS_LOGGER,
            request_id=get_guid(),
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return response

    return middleware


def forget_request_id(**_: object) -> None:
    clear_guid()


request_finished.connect(forget_request_id)


def too_large() -> JsonResponse:
    detail = f"Request body too large: send at most {MAX_REQUEST_BYTES} bytes."
    return JsonResponse({"detail": detail}, status=413)


def body_cap(get_response: Middleware) -> Middleware:
    def middleware(request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
            return too_large()
        return get_response(request)

    return middleware


def is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/health"


def json_errors(get_response: Middleware) -> Middleware:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if not 400 <= response.status_code < 500 or not is_api(request.path):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        return JsonResponse({"detail": f"{response.reason_phrase}."}, status=response.status_code)

    return middleware


# --- models, as the generated migrations made them ---------------------------------------------


class Account(models.Model):
    user = models.OneToOneField(User, models.CASCADE, primary_key=True, related_name="account")
    email_verified_at = models.DateTimeField(null=True)
    token_version = models.IntegerField(default=0)

    class Meta:
        app_label = "users"


class Item(models.Model):
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=2000, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    if AUTH:  # the column exists only in a project with auth on
        owner = models.ForeignKey(User, models.CASCADE, null=True, related_name="+")

    class Meta:
        app_label = "items"  # the generated app's table, items_item
        ordering = ("-created_at", "-id")


# --- DRF ----------------------------------------------------------------------------------------


class StrictJSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return parse_json(stream.read())
        except BadBody as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


class BearerAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, None] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Bearer "):
            return None  # the next authenticator's turn (the admin's session)
        claims = token_claims(header, max_id=MAX_PK)
        users = User._default_manager.select_related("account")
        try:
            user = users.get(pk=claims.user_id) if claims else None
        except User.DoesNotExist:
            user = None
        account = getattr(user, "account", None)  # None: a user without one (not ours)
        if claims and user is not None and user.is_active and account is not None:  # noqa: SIM102
            if account.token_version == claims.version:
                return user, None
        raise AuthenticationFailed("Not authenticated.")

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class JSONOnly(DefaultContentNegotiation):
    """JSON is all this API answers: no Accept header to parse (DRF's documented "ignore the
    client" negotiation, for renderers; bodies still need a JSON content type)."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class StrictCharField(serializers.CharField):
    """Text only: DRF's CharField turns 5 into "5". (NUL and lone surrogates it refuses.)"""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class ItemSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)
    name = StrictCharField(max_length=100)
    description = StrictCharField(
        max_length=2000, allow_blank=True, trim_whitespace=False, default=""
    )
    created_at = serializers.DateTimeField(read_only=True)
    if AUTH:  # the owner, as the generated app's item JSON has it with auth on
        owner_id = serializers.IntegerField(read_only=True)

    def create(self, validated_data: dict[str, Any]) -> Item:
        return Item.objects.create(**validated_data)


class ItemsView(APIView):
    parser_classes = (StrictJSONParser,)
    content_negotiation_class = JSONOnly
    authentication_classes: tuple[type[authentication.BaseAuthentication], ...] = (
        (BearerAuthentication, authentication.SessionAuthentication)
        if AUTH
        else (authentication.SessionAuthentication,)
    )
    permission_classes = (permissions.IsAuthenticated if AUTH else permissions.AllowAny,)

    def items(self, request: Request) -> "models.QuerySet[Item]":
        return Item.objects.filter(owner_id=request.user.pk) if AUTH else Item.objects.all()


class ItemList(ItemsView):
    def get(self, request: Request) -> Response:
        limit = page_param(request.query_params.get("limit"), 50, 100, 1)
        offset = page_param(request.query_params.get("offset"), 0, MAX_OFFSET, 0)
        if limit is None or offset is None:
            raise ValidationError({"limit": "1-100", "offset": "0 or more"})
        rows = self.items(request)[offset : offset + limit]
        return Response(ItemSerializer(rows, many=True).data)

    def post(self, request: Request) -> Response:
        serializer = ItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save(**({"owner": request.user} if AUTH else {}))
        return Response(serializer.data, status=201)


class ItemDetail(ItemsView):
    def get(self, request: Request, id: str) -> Response:
        try:
            item = self.items(request).get(pk=int(id)) if int(id) <= MAX_PK else None
        except Item.DoesNotExist:
            item = None
        if item is None:
            raise NotFound()
        return Response(ItemSerializer(item).data)


class Health(APIView):
    content_negotiation_class = JSONOnly
    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)

    def get(self, request: Request) -> Response:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return Response({"status": "error", "database": "error"}, status=503)
        return Response({"status": "ok", "database": "ok"})


urlpatterns = [
    re_path(r"^health$", Health.as_view()),
    re_path(r"^api/items/?$", ItemList.as_view()),
    re_path(r"^api/items/(?P<id>[0-9]+)/?$", ItemDetail.as_view()),
]


class Handler(WSGIHandler):
    """Django's WSGI handler, giving a chunked body (no Content-Length) a length, read up to
    one byte past the cap, so that body_cap refuses it as it does any other."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read(MAX_REQUEST_BYTES + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return super().__call__(environ, start_response)


app = Handler()
