"""A hand-written Django app doing the generated app's work, without its structure.

The same database (DATABASE_URL, SQLite file by default), driver and connection settings as
the generated project (CONN_MAX_AGE=60, CONN_HEALTH_CHECKS, connect_timeout=3), the same
queries through the same ORM: /health runs `SELECT 1`, /api/items reads `limit` and `offset`
and returns the newest items as a JSON array. No middleware, no DRF, no settings module.
"""

import os

import django
import environ
from django.conf import settings

DATABASE = environ.Env().db_url_config(
    os.environ.get("DATABASE_URL") or f"sqlite:///{os.environ['BARE_SQLITE']}"
)
DATABASE.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
if DATABASE["ENGINE"] == "django.db.backends.postgresql":
    DATABASE.setdefault("OPTIONS", {})["connect_timeout"] = 3

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("SECRET_KEY", "bare-benchmark-only"),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={"default": DATABASE},
    USE_TZ=True,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection, models  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


class Item(models.Model):
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        app_label = "items"  # the generated app's table, items_item
        ordering = ("-created_at", "-id")


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": "ok"})


def items(request: HttpRequest) -> JsonResponse:
    limit = int(request.GET.get("limit", 50))
    offset = int(request.GET.get("offset", 0))
    rows = Item.objects.values("id", "name", "description", "created_at")
    return JsonResponse(list(rows[offset : offset + limit]), safe=False)


urlpatterns = [path("health", health), path("api/items", items)]
app = get_wsgi_application()
