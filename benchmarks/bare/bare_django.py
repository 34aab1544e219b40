"""A bare Django app: one view, no middleware, the same JSON as the generated /health.

With BARE_DATABASE set (a SQLite file) the view also runs `SELECT 1` with the generated
project's connection settings (CONN_MAX_AGE=60, CONN_HEALTH_CHECKS), to price the database
round trip on its own.
"""

import os

from django.conf import settings

DATABASE = os.environ.get("BARE_DATABASE")

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("SECRET_KEY", "bare-benchmark-only"),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATABASE,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    }
    if DATABASE
    else {},
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def health(request: HttpRequest) -> JsonResponse:
    if DATABASE:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": "ok"})


urlpatterns = [path("health", health)]
app = get_wsgi_application()
