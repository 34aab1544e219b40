"""names.derive: one typed name -> distribution + package, or a refusal naming the rule."""

from __future__ import annotations

import pytest

from scaffold.names import InvalidName, derive


@pytest.mark.parametrize(
    ("typed", "distribution", "package"),
    [
        ("demo", "demo", "demo"),
        ("My-Shop", "my-shop", "my_shop"),
        ("my_shop", "my-shop", "my_shop"),
        ("Acme.Orders__API", "acme-orders-api", "acme_orders_api"),
        ("a", "a", "a"),
        ("x" * 64, "x" * 64, "x" * 64),
    ],
)
def test_derives_pep503_distribution_and_package(
    typed: str, distribution: str, package: str
) -> None:
    names = derive(typed, "fastapi")
    assert (names.typed, names.distribution, names.package) == (typed, distribution, package)
    assert names.package.isidentifier()


@pytest.mark.parametrize(
    ("typed", "framework", "rule", "suggestion"),
    [
        ("", None, "empty", "my-service"),
        ("   ", None, "empty", "my-service"),
        ("../x", None, "path", "'x'"),
        ("a/b", None, "path", "'a-b'"),
        ("a\\b", None, "path", None),
        (".hidden", None, "path", None),
        ("café", None, "non-ASCII", "'cafe'"),
        ("x" * 65, None, "65 characters", None),
        ("my app", None, "not a valid distribution name", "'my-app'"),
        ("-app", None, "not a valid distribution name", "'app'"),
        ("app!", None, "not a valid distribution name", "'app'"),
        ("2fast", None, "not a Python identifier", "'app-2fast'"),
        ("class", None, "keyword", "'class-app'"),
        ("match", None, "keyword", "'match-app'"),
        ("json", None, "standard library", "'json-app'"),
        ("test", None, "standard library", "'test-app'"),
        ("email", None, "standard library", None),
        ("django", "django", "dependency of the django stack", "'django-app'"),
        ("rest_framework", "django", "dependency", None),
        ("celery", "django", "dependency", None),
        ("celery", "flask", "dependency", None),
        ("taskiq", "fastapi", "dependency", None),
        ("structlog", "django", "dependency", None),
        ("sentry_sdk", "fastapi", "dependency", None),
        ("jwt", "flask", "dependency", None),
        ("fastapi", "fastapi", "dependency", None),
        ("starlette", "fastapi", "dependency", None),
        ("pydantic", "fastapi", "dependency", None),
        ("sqlalchemy", "fastapi", "dependency", None),
        ("alembic", "fastapi", "dependency", None),
        ("flask", "flask", "dependency", None),
        ("flask-sqlalchemy", "flask", "dependency", None),
        ("flask_migrate", "flask", "dependency", None),
    ],
)
def test_refuses_with_the_rule_and_a_fix(
    typed: str, framework: str | None, rule: str, suggestion: str | None
) -> None:
    with pytest.raises(InvalidName) as error:
        derive(typed, framework)
    message = str(error.value)
    assert rule in message
    assert "\n" not in message
    if suggestion:
        assert suggestion in message


def test_stack_modules_only_checked_once_the_stack_is_known() -> None:
    assert derive("django").package == "django"
    assert derive("taskiq", "flask").package == "taskiq"
