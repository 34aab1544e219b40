import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree() -> None:
    # Exits non-zero (SystemExit) when a model change has no migration yet.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
