"""Smoke: each stack generated, installed with uv, its own tests run, its Procfile started,
and docs/contract.md exercised over HTTP on SQLite and PostgreSQL (DB-down 503 included)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import procfile
import pytest
from conftest import Projects, Servers
from contract import check_concurrent_writes, check_contract, check_health
from helpers import STACKS, clean_env, closed_port, missing, run

pytestmark = pytest.mark.smoke

# Every option off: the smallest project each stack can generate.
MINIMAL = {"docker": False, "ci": "none"}
STACK_MINIMAL = {"django": {"worker": False}}
# Each stack's broker variables.
BROKER_VARIABLES = {
    "django": ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"),
    "fastapi": ("TASKIQ_BROKER_URL", "TASKIQ_RESULT_BACKEND"),
    "flask": ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"),
}


def variant_answers(stack: str, variant: str) -> dict[str, object]:
    """`default`: the default answers; `minimal`: every option off; `worker`: the worker on."""
    if variant == "minimal":
        return {**MINIMAL, **STACK_MINIMAL.get(stack, {})}
    if variant == "worker":
        return {"worker": True}
    return {}


def own_tests(project: Path, env: dict[str, str], *uv_args: str) -> str:
    """The project's own `uv run pytest`, as its README gives it (it must pass)."""
    command = ["uv", "run", *uv_args, "pytest", "-q", "-rA", "-p", "no:cacheprovider"]
    output = run(command, project, env=env).stdout
    assert " passed" in output, output[-3000:]
    return output


# A generated suite runs once per stack and database: on SQLite with the worker on (its tests
# included) and with every option off (the code without it), and on PostgreSQL with the
# worker on, under the newest Python the stacks are tested with end to end.
@pytest.mark.parametrize("variant", ["worker", "minimal"])
@pytest.mark.parametrize("stack", STACKS)
def test_own_tests_pass_without_services(stack: str, variant: str, projects: Projects) -> None:
    """docs/contract.md §1 and §5: `uv run pytest` needs no service, the worker on or off; with it
    on, the brokers point at a closed port and the tasks' tests pass anyway (in-process)."""
    project = projects.get(stack, **variant_answers(stack, variant))
    nowhere = f"redis://127.0.0.1:{closed_port()}/0"
    output = own_tests(project, clean_env(**dict.fromkeys(BROKER_VARIABLES[stack], nowhere)))
    assert ("test_tasks.py" in output) == (variant == "worker"), output[-3000:]


@pytest.mark.parametrize("stack", STACKS)
def test_own_tests_pass_on_postgresql_and_python_3_13(
    stack: str, projects: Projects, postgres_url: str, tmp_path: Path
) -> None:
    """docs/contract.md §1: the same tests pass on PostgreSQL; requires-python >= 3.11, and the
    project works on 3.11 (the runs above) and on 3.13."""
    python = _newest_python()
    if python is None:
        missing("no Python 3.13 interpreter found (none under `pyenv root`, no python3.13 on PATH)")
    project = projects.get(stack, **variant_answers(stack, "worker"))
    # A second environment outside the shared project, which other tests run from.
    env = clean_env(DATABASE_URL=postgres_url, UV_PROJECT_ENVIRONMENT=str(tmp_path / "venv"))
    assert "test_tasks.py" in own_tests(project, env, "--python", python)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
@pytest.mark.parametrize("variant", ["default", "minimal"])
@pytest.mark.parametrize("stack", STACKS)
def test_contract(stack: str, variant: str, database: str, servers: Servers) -> None:
    check_contract(servers.get(stack, database, **variant_answers(stack, variant)).url)


@pytest.mark.parametrize("stack", STACKS)
def test_concurrent_writes_on_postgresql(stack: str, servers: Servers) -> None:
    """PUT and DELETE racing on one item, across the `web` line's worker processes: no 5xx,
    and a deleted item never comes back."""
    web = servers.get(stack, "postgresql")
    try:
        check_concurrent_writes(web.url, rounds=40)
    except AssertionError as error:
        raise AssertionError(
            f"{error}\n--- server log ---\n{web.running.output()[-3000:]}"
        ) from None


@pytest.mark.parametrize("stack", STACKS)
def test_health_is_503_when_the_database_is_down(stack: str, projects: Projects) -> None:
    project = projects.get(stack)
    env = procfile.production_env(
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{closed_port()}/gone"
    )
    with (
        procfile.start(project, "web", env) as web,
        httpx.Client(base_url=web.url, timeout=60) as client,
    ):
        # gunicorn listens before its workers have booted: time the health check only once a
        # worker answers a route that needs no database.
        assert client.get("/api/openapi.json").status_code == 200
        started = time.monotonic()
        check_health(client, up=False)
        assert time.monotonic() - started < 10, "a down database is reported quickly"


@pytest.mark.parametrize("stack", STACKS)
def test_web_refuses_to_start_without_secret_key(stack: str, projects: Projects) -> None:
    project = projects.get(stack)
    env = procfile.production_env()
    del env["SECRET_KEY"]
    with procfile.start(project, "web", env, wait_for_port=False) as web:
        try:
            web.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"web kept running without SECRET_KEY:\n{web.output()[-2000:]}")
        assert web.process.returncode != 0
        assert "SECRET_KEY" in web.output(), web.output()[-2000:]


@pytest.mark.skipif("django" not in STACKS, reason="no Django stack")
def test_django_admin_login_renders(servers: Servers) -> None:
    page = httpx.get(f"{servers.get('django').url}/admin/login/", timeout=15)
    assert page.status_code == 200 and 'name="password"' in page.text


# Run from the project root in the app's own environment: add one item, send items.summarize
# the way the app's code would, and print the result read back from Redis.
SEND_SUMMARIZE = {
    "django": [
        "python",
        "manage.py",
        "shell",
        "-c",
        "from demo_app.items.models import Item; from demo_app.items.tasks import summarize; "
        "Item.objects.create(name='one'); print('result:', summarize.delay().get(timeout=120))",
    ],
    "flask": [
        "python",
        "-c",
        "from demo_app import create_app; from demo_app.extensions import db; "
        "from demo_app.items.models import Item; from demo_app.items.tasks import summarize\n"
        "app = create_app()\n"
        "with app.app_context(): db.session.add(Item(name='one')); db.session.commit()\n"
        "print('result:', summarize.delay().get(timeout=120))",
    ],
    "fastapi": [
        "python",
        "-c",
        "import asyncio\n"
        "import demo_app.main\n"
        "from demo_app.db import SessionLocal\n"
        "from demo_app.items.models import Item\n"
        "from demo_app.items.tasks import summarize\n"
        "async def main():\n"
        "    async with SessionLocal.begin() as session: session.add(Item(name='one'))\n"
        "    task = await summarize.kiq()\n"
        "    result = await task.wait_result(timeout=120)\n"
        "    print('result:', result.return_value)\n"
        "asyncio.run(main())",
    ],
}
# A line the worker logs each time it runs items.summarize (Celery, taskiq).
RAN_SUMMARIZE = re.compile(r"items\.summarize\[[^]]+\] succeeded|Executing task items\.summarize")


def _wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


@pytest.mark.parametrize("stack", STACKS)
def test_worker_runs_sent_and_periodic_tasks(
    stack: str, projects: Projects, redis_url: str, redis_database: int
) -> None:
    """docs/contract.md §5: the Procfile's `worker` runs items.summarize sent from the app's process
    (the result read back from Redis), and its `scheduler` sends the periodic one."""
    project = projects.get(stack, worker=True)
    broker = f"{redis_url}/{redis_database}"
    env = procfile.production_env(
        DATABASE_URL=procfile.scratch_sqlite(),
        SUMMARIZE_EVERY_SECONDS="2",
        **dict.fromkeys(BROKER_VARIABLES[stack], broker),
    )
    procfile.release(project, env)
    with procfile.start(project, "worker", env, wait_for_port=False) as worker:
        sent = run(["uv", "run", *SEND_SUMMARIZE[stack]], project, env=env, timeout=300).stdout
        assert "result: {'count': 1}" in sent, sent + worker.output()[-3000:]
        ran_before = len(RAN_SUMMARIZE.findall(worker.output()))
        assert ran_before >= 1, worker.output()[-3000:]

        with procfile.start(project, "scheduler", env, wait_for_port=False) as scheduler:
            fired = _wait_for(
                lambda: len(RAN_SUMMARIZE.findall(worker.output())) >= ran_before + 2, 180
            )
            assert fired, (
                f"the periodic items.summarize did not run twice in 180 s\n--- scheduler ---\n"
                f"{scheduler.output()[-3000:]}\n--- worker ---\n{worker.output()[-3000:]}"
            )
            assert "items.summarize" in scheduler.output()


def _newest_python() -> str | None:
    """A Python 3.13 to run the generated projects on (pyenv's, or one on PATH)."""
    candidates: list[Path] = []
    pyenv = shutil.which("pyenv")
    if pyenv is not None:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False).stdout
        if root.strip():
            candidates += sorted(Path(root.strip()).glob("versions/3.13*/bin/python3.13"))
    found = shutil.which("python3.13")
    candidates += [Path(found)] if found else []
    for candidate in candidates:
        if subprocess.run([candidate, "-V"], capture_output=True, check=False).returncode == 0:
            return str(candidate)
    return None
