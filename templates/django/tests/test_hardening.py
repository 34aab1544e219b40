"""Hardening: the request body cap, security headers and the admin's login throttle."""

import json
import secrets

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from .test_deploy import manage

TWO_MIB = 2 * 1024 * 1024


@pytest.mark.django_db
def test_a_body_over_the_limit_gets_413_json(api_client: APIClient) -> None:
    body = json.dumps({"name": "big", "description": "x" * TWO_MIB})

    response = api_client.post("/api/items", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: send at most 1048576 bytes."}
    assert api_client.get("/api/items").json() == []


@pytest.mark.django_db
def test_api_responses_carry_the_security_headers(api_client: APIClient) -> None:
    response = api_client.get("/api/items", secure=True)

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_admin_logins_are_throttled(client: Client, django_user_model: type[User]) -> None:
    password = secrets.token_urlsafe(16)
    django_user_model.objects.create_superuser("admin", "admin@example.com", password)
    login = reverse("admin:login")
    right = {"username": "admin", "password": password}
    wrong = {"username": "admin", "password": "wrong"}

    statuses = [client.post(login, wrong).status_code for _ in range(10)]

    assert statuses[:9] == [200] * 9  # the form again, with an error
    assert statuses[9] == 429
    assert client.post(login, right).status_code == 429
    # Another address is not locked out, and logins without a request (tests) still work.
    assert client.post(login, right, REMOTE_ADDR="192.0.2.1").status_code == 302
    assert client.login(**right)


HARDENING_SETTINGS = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "DATA_UPLOAD_MAX_MEMORY_SIZE",
    "SECRET_KEY",
)


def production_settings(**env: str) -> dict[str, object]:
    """Settings as production computes them from `env`, read in a fresh process."""
    code = (
        "import json; from django.conf import settings; from django.urls import reverse; "
        f"values = dict((name, getattr(settings, name)) for name in {HARDENING_SETTINGS!r}); "
        "values['admin'] = reverse('admin:index'); print(json.dumps(values))"
    )
    result = manage("shell", "-c", code, **{"DEBUG": "false", "SECRET_KEY": "p" * 50, **env})
    assert result.returncode == 0, result.stderr
    values: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return values


def test_hardening_settings_have_safe_defaults() -> None:
    values = production_settings()

    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 1024 * 1024
    assert values["admin"] == "/admin/"


def test_hardening_settings_come_from_the_environment() -> None:
    values = production_settings(
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="true",
        TRUST_PROXY_HEADERS="true",
        MAX_REQUEST_BYTES="2048",
        ADMIN_URL="/backstage",
    )

    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 2048
    assert values["admin"] == "/backstage/"


def test_production_refuses_a_short_secret_key() -> None:
    result = manage("check", DEBUG="false", SECRET_KEY="k" * 31)

    assert result.returncode != 0
    assert "SECRET_KEY is 31 characters long" in result.stderr.strip().splitlines()[-1]


def test_debug_makes_a_random_secret_key() -> None:
    keys = {str(production_settings(DEBUG="true", SECRET_KEY="")["SECRET_KEY"]) for _ in range(2)}

    assert len(keys) == 2
    assert all(len(key) >= 32 for key in keys)
