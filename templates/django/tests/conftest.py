import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api_client() -> APIClient:
    """DRF's test client: JSON request bodies with `format="json"`, parsed `.json()`."""
    return APIClient()
