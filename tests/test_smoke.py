"""Smoke: each stack generated, installed with uv, its own tests run, its Procfile started,
and CONTRACT.md exercised over HTTP on SQLite and PostgreSQL (DB-down 503 included)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
import procfile
import pytest
from conftest import Projects
from contract import check_contract, check_health
from helpers import STACKS, clean_env, closed_port, run

pytestmark = pytest.mark.smoke


# Every option off: the smallest project each stack can generate.
MINIMAL = {"docker": False, "ci": "none"}
STACK_MINIMAL = {"django": {"celery": False}}
VARIANTS = [(stack, variant) for stack in STACKS for variant in ("default", "minimal")]


@pytest.fixture(scope="module", params=VARIANTS, ids=[f"{s}-{v}" for s, v in VARIANTS])
def project(request: pytest.FixtureRequest, projects: Projects) -> Path:
    """The default and the all-options-off rendering of each stack, installed once, shared."""
    stack, variant = request.param
    if variant == "default":
        return projects.get(stack)
    return projects.get(stack, **MINIMAL, **STACK_MINIMAL.get(stack, {}))


@pytest.fixture(scope="module")
def django_project(projects: Projects) -> Path:
    return projects.get("django")


def test_own_tests_pass_without_services(project: Path) -> None:
    result = run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project)
    assert " passed" in result.stdout


def test_own_tests_pass_on_postgresql(project: Path, postgres_url: str) -> None:
    env = clean_env(DATABASE_URL=postgres_url)
    result = run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project, env=env)
    assert " passed" in result.stdout


def test_contract_on_sqlite(project: Path) -> None:
    (project / "db.sqlite3").unlink(missing_ok=True)
    env = procfile.production_env()
    procfile.release(project, env)
    with procfile.start(project, "web", env) as web:
        check_contract(web.url)


def test_contract_on_postgresql(project: Path, postgres_url: str) -> None:
    env = procfile.production_env(DATABASE_URL=postgres_url)
    procfile.release(project, env)
    with procfile.start(project, "web", env) as web:
        check_contract(web.url)


def test_health_is_503_when_the_database_is_down(project: Path) -> None:
    env = procfile.production_env(
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{closed_port()}/gone"
    )
    with (
        procfile.start(project, "web", env) as web,
        httpx.Client(base_url=web.url, timeout=15) as client,
    ):
        started = time.monotonic()
        check_health(client, up=False)
        assert time.monotonic() - started < 10, "a down database is reported quickly"


def test_web_refuses_to_start_without_secret_key(project: Path) -> None:
    env = procfile.production_env()
    del env["SECRET_KEY"]
    with procfile.start(project, "web", env, wait_for_port=False) as web:
        try:
            web.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"web kept running without SECRET_KEY:\n{web.output()[-2000:]}")
        assert web.process.returncode != 0
        assert "SECRET_KEY" in web.output(), web.output()[-2000:]


def test_django_admin_login_renders(django_project: Path) -> None:
    project = django_project
    (project / "db.sqlite3").unlink(missing_ok=True)
    env = procfile.production_env()
    procfile.release(project, env)
    with procfile.start(project, "web", env) as web:
        page = httpx.get(f"{web.url}/admin/login/", timeout=15)
        assert page.status_code == 200 and 'name="password"' in page.text


def _django_shell(project: Path, code: str, env: dict[str, str]) -> str:
    command = ["uv", "run", "python", "manage.py", "shell", "-c", code]
    return run(command, project, env=env, timeout=120).stdout


def test_django_celery_round_trip(django_project: Path, redis_url: str) -> None:
    project = django_project
    (project / "db.sqlite3").unlink(missing_ok=True)
    broker = f"{redis_url}/7"
    env = procfile.production_env(CELERY_BROKER_URL=broker, CELERY_RESULT_BACKEND=broker)
    procfile.release(project, env)
    _django_shell(
        project, "from demo_app.items.models import Item; Item.objects.create(name='one')", env
    )
    with procfile.start(project, "worker", env, wait_for_port=False) as worker:
        sent = _django_shell(
            project,
            "from demo_app.items.tasks import summarize; print(summarize.delay().get(timeout=60))",
            env,
        )
        assert "{'count': 1}" in sent, sent + worker.output()[-2000:]
        assert "items.summarize" in worker.output()


def _newest_python() -> str | None:
    """A Python 3.13 to run the generated projects on (pyenv's, or one on PATH)."""
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False).stdout
    candidates = sorted(Path(root.strip()).glob("versions/3.13*/bin/python3.13")) if root else []
    found = shutil.which("python3.13")
    candidates += [Path(found)] if found else []
    for candidate in candidates:
        if subprocess.run([candidate, "-V"], capture_output=True, check=False).returncode == 0:
            return str(candidate)
    return None


@pytest.mark.parametrize("stack", STACKS)
def test_own_tests_pass_on_python_3_13(stack: str, projects: Projects, tmp_path: Path) -> None:
    """CONTRACT.md §1: requires-python >= 3.11 and works on 3.11, 3.12 and 3.13."""
    python = _newest_python()
    if python is None:
        pytest.skip("no Python 3.13 interpreter found (pyenv or PATH)")
    project = projects.get(stack)
    # A second environment outside the shared project, which other tests read file by file.
    env = clean_env(UV_PROJECT_ENVIRONMENT=str(tmp_path / "venv-3.13"))
    result = run(
        ["uv", "run", "--python", python, "pytest", "-q", "-p", "no:cacheprovider"],
        project,
        env=env,
    )
    assert " passed" in result.stdout
