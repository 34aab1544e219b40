import pytest
from django.db import OperationalError
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_health_ok(api_client: APIClient) -> None:
    response = api_client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_reports_unreachable_database(
    api_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    # Stands in for an unreachable server: Django raises OperationalError when it cannot connect.
    monkeypatch.setattr(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection", refuse
    )
    response = api_client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}
