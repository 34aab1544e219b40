"""CONTRACT 6b: a project generated from the first release, with its user's own code and rows in
its database, takes plain `copier update --defaults` to this checkout with no conflict, keeps
its API and its rows, and stays green on SQLite and PostgreSQL.

The first release is commit 0bd09ec. Tags do not travel with a clone, so the fixture tags that
commit and this checkout (uncommitted changes too) in a temporary clone, as users' projects
would see them: `v0.1.0` and `v0.2.0`.

Features that arrive as new questions reuse `old_project`, `seed_items` and `update` to show
that turning them on later (`scaffold update -d KEY=true`) keeps the project green.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import procfile
import pytest
import yaml
from conftest import new_database
from helpers import REPO, STACKS, clean_env, missing, run, scaffold

pytestmark = pytest.mark.update

FIRST_RELEASE = "0bd09ec"
# The last main before issue 26 made emails canonical and the throttle per client address.
BEFORE_CANONICAL_EMAILS = "c503731"
# The last main before issue 28 gave Django projects their own `users.User`.
BEFORE_USERS_USER = "afa629f"
IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.invalid"]
COPIER = [sys.executable, "-m", "copier"]
PACKAGE = "demo_app"
ROWS = [
    {"name": "Invoice 1", "description": "made before the update"},
    {"name": "Invoice 2", "description": ""},
    {"name": "Ünïcode", "description": "kept byte for byte"},
]


def git(cwd: Path, *args: str) -> str:
    return run(["git", *IDENTITY, *args], cwd).stdout


def commit_all(cwd: Path, message: str) -> None:
    git(cwd, "add", "-A")
    git(cwd, "commit", "-q", "--no-verify", "--allow-empty", "-m", message)


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this repository: the first release tagged v0.1.0, this checkout v0.2.0."""
    template = tmp_path_factory.mktemp("releases") / "scaffold"
    run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(template)], REPO.parent)
    known = run(["git", "cat-file", "-e", f"{FIRST_RELEASE}^{{commit}}"], template, check=False)
    if known.returncode != 0:
        missing(f"this clone has no commit {FIRST_RELEASE} (a shallow clone?): fetch full history")
    git(template, "tag", "v0.1.0", FIRST_RELEASE)
    git(template, "tag", "v0.1.26", BEFORE_CANONICAL_EMAILS)
    git(template, "tag", "v0.1.35", BEFORE_USERS_USER)
    # The working tree of this checkout, uncommitted files included, becomes v0.2.0.
    for name in filter(None, git(template, "ls-files", "-z").split("\0")):
        (template / name).unlink(missing_ok=True)
    listed = run(["git", "ls-files", "-co", "--exclude-standard", "-z"], REPO).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        target = template / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    commit_all(template, "this checkout")
    git(template, "tag", "v0.2.0")
    return template


def old_project(releases: Path, destination: Path, stack: str, release: str = "v0.1.0") -> Path:
    """Generated from an old release (the first by default), installed, committed with its
    user's own work."""
    run(
        [
            *COPIER,
            "copy",
            "--defaults",
            "--vcs-ref",
            release,
            "-d",
            f"framework={stack}",
            "-d",
            "project_name=demo-app",
            str(releases),
            str(destination),
        ],
        destination.parent,
    )
    git(destination, "init", "-q", "-b", "main")
    commit_all(destination, "generated")
    run(["uv", "sync"], destination)
    user_work(destination)
    commit_all(destination, "our work")
    return destination


def user_work(project: Path) -> None:
    """What users do first: a runbook in the README, a module and its test, a local setting."""
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## Our runbook\n\nPage the on-call.\n")
    (project / PACKAGE / "pricing.py").write_text(
        '"""Ours."""\n\nVAT = 0.2\n\n\ndef gross(net: float) -> float:\n'
        "    return round(net * (1 + VAT), 2)\n"
    )
    (project / "tests" / "test_pricing.py").write_text(
        f"from {PACKAGE}.pricing import gross\n\n\n"
        "def test_gross() -> None:\n    assert gross(10) == 12.0\n"
    )
    env_example = project / ".env.example"
    env_example.write_text(
        env_example.read_text().replace("LOG_LEVEL=", "LOG_LEVEL=warning\n# was: LOG_LEVEL=", 1)
    )


def items(url: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{url}/api/items", params={"limit": 100}, timeout=30)
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()
    return listed


def seed_items(project: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    """Migrate with the project's own release line and create rows through its own API."""
    procfile.release(project, env)
    with procfile.start(project, "web", env) as web:
        for row in ROWS:
            created = httpx.post(f"{web.url}/api/items", json=row, timeout=30)
            assert created.status_code == 201, created.text
        return items(web.url)


def served_items(project: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    procfile.release(project, env)
    with procfile.start(project, "web", env) as web:
        return items(web.url)


def update(project: Path, *data: str) -> dict[str, Any]:
    """Plain `copier update --defaults` (plus `-d KEY=VALUE`s); returns the recorded answers."""
    before = yaml.safe_load((project / ".copier-answers.yml").read_text())
    flags = [flag for pair in data for flag in ("-d", pair)]
    run([*COPIER, "update", "--defaults", *flags], project)
    assert_no_conflicts(project)
    answers: dict[str, Any] = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["framework"] == before["framework"]
    return answers


def update_and_test(project: Path, postgres_url: str) -> dict[str, Any]:
    """The plain update to this checkout, with the user's work kept, committed and installed as
    its user would; the project's own tests then pass on SQLite and PostgreSQL."""
    answers = update(project)
    assert answers["_commit"] == "v0.2.0"
    assert_user_work_kept(project)
    commit_all(project, "update to v0.2.0")
    run(["uv", "sync"], project)
    own_tests(project, clean_env())
    own_tests(project, clean_env(DATABASE_URL=postgres_url))
    return answers


def assert_no_conflicts(project: Path) -> None:
    rejected = [str(path.relative_to(project)) for path in project.rglob("*.rej")]
    assert not rejected, f"the update left rejected hunks in {rejected}"
    marked = run(["git", "grep", "-l", "-e", "^<<<<<<< ", "-e", "^>>>>>>> "], project, check=False)
    untracked = run(["git", "ls-files", "-o", "--exclude-standard"], project).stdout.split()
    marked_untracked = [
        name
        for name in untracked
        if (project / name).is_file()
        and "\n<<<<<<< " in "\n" + (project / name).read_text(errors="replace")
    ]
    conflicted = marked.stdout.split() + marked_untracked
    assert not conflicted, f"the update left conflict markers in {conflicted}"


@pytest.fixture
def seeded_postgres_url(postgres_admin: str) -> Iterator[str]:
    """The database the user's rows live in (the project's own tests get another one)."""
    with new_database(postgres_admin) as url:
        yield url


def own_tests(project: Path, env: dict[str, str]) -> None:
    result = run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project, env=env)
    assert " passed" in result.stdout and "test_pricing" not in result.stdout


@pytest.mark.parametrize("stack", STACKS)
def test_first_release_updates_then_turns_auth_and_worker_on(
    stack: str, releases: Path, tmp_path: Path, seeded_postgres_url: str, postgres_url: str
) -> None:
    """One project from the first release, with its user's own work and rows, taken through
    every step its user would take, each green: the plain update (no conflict, nothing new
    switched on, the rows served as before), then the worker (issue 15; Django had it from the
    first release, as `celery`), then `auth` (issue 12: the rows kept, owned by nobody, and
    the first release's Django admin still logs in, verified, while a new registration starts
    unverified: CONTRACT 3b). Its own tests run after each step, on SQLite and PostgreSQL in
    turn."""
    project = old_project(releases, tmp_path / "demo-app", stack)
    old_answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    envs = {
        "sqlite": procfile.production_env(),
        "postgres": procfile.production_env(DATABASE_URL=seeded_postgres_url),
    }
    rows = {name: seed_items(project, env) for name, env in envs.items()}
    admin_password = "an admin's own long password"
    if stack == "django":
        # auth_user already has rows: the admin the user made with the first release.
        admin = {**envs["sqlite"], "DJANGO_SUPERUSER_PASSWORD": admin_password}
        command = "manage.py createsuperuser --noinput --username admin --email Admin@Example.com"
        run(["uv", "run", "python", *command.split()], project, env=admin)
        for env in envs.values():
            make_django_users(project, env)

    # --- the plain update ---------------------------------------------------------------
    answers = update(project)

    assert answers["_commit"] == "v0.2.0"
    assert answers["python_version"] == old_answers["python_version"]
    new_switches = {
        key: value
        for key, value in answers.items()
        if key not in old_answers and isinstance(value, bool)
    }
    # The first release trusted X-Forwarded-Proto (Django): the update keeps doing so, or its
    # HTTPS redirect would loop behind the proxy. Every other new question starts off.
    # Django's worker, answered as `celery` then, is on as before under its one name (issue 28).
    kept_as_before = {"trust_proxy_headers": True, "worker": True} if stack == "django" else {}
    assert "celery" not in answers
    assert {key: new_switches.pop(key, None) for key in kept_as_before} == kept_as_before
    assert not any(new_switches.values()), (
        f"a question the first release did not have is on after the update: {new_switches}"
    )
    assert answers["auth"] is False
    # Kubernetes (issue 31): recorded off, and not one manifest (nor heartbeat) in the tree.
    assert answers["kubernetes"] is False
    assert not (project / "deploy").exists()
    assert not (project / PACKAGE / "heartbeat.py").exists()
    # Admin screens (issue 32): recorded off where asked, and no admin package in the tree.
    assert answers.get("admin", False) is False
    assert not (project / PACKAGE / "admin").exists()
    assert_user_work_kept(project)
    commit_all(project, "update to v0.2.0")

    run(["uv", "sync"], project)
    own_tests(project, clean_env())
    own_tests(project, clean_env(DATABASE_URL=postgres_url))
    # The pytest runs above use their own databases: the seeded ones must come through intact,
    # migrated by the new release line and served by the new web line, with the same JSON.
    for name, env in envs.items():
        assert served_items(project, env) == rows[name], name
        if stack == "django":  # issue 28: their users are now users.User, all of them kept
            assert_django_users_kept(project, env)
    if stack == "django":
        # Deployed behind a TLS proxy (Heroku, Dokku) with the HTTPS redirect on, as the first
        # release was: the proxy's X-Forwarded-Proto is still believed, so no redirect loop.
        proxied = {**envs["sqlite"], "SECURE_SSL_REDIRECT": "true"}
        with procfile.start(project, "web", proxied) as web:
            health = httpx.get(
                f"{web.url}/health", headers={"X-Forwarded-Proto": "https"}, timeout=30
            )
        assert health.status_code == 200, health.text

    commit_all(project, "uv.lock after the update")  # as its user would, before updating again

    # --- the worker, turned on with `scaffold update -d worker=true` --------------------
    worker_module = "celery.py" if stack in ("django", "flask") else "worker.py"
    if stack != "django":
        assert not (project / PACKAGE / worker_module).exists(), "the worker stays off"
        result = scaffold("update", "-d", "worker=true", cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
        assert_no_conflicts(project)
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert answers["worker"] is True
        commit_all(project, "worker on")
    assert (project / PACKAGE / worker_module).is_file()
    assert (project / PACKAGE / "items" / "tasks.py").is_file()
    procfile_lines = procfile.read(project)
    assert {"worker", "scheduler"} <= set(procfile_lines), procfile_lines
    assert_user_work_kept(project)
    assert "SUMMARIZE_EVERY_SECONDS=" in (project / ".env.example").read_text()
    run(["uv", "sync"], project)
    tasks = run(["uv", "run", "pytest", "-q", "--co", "-p", "no:cacheprovider"], project).stdout
    assert "tests/test_tasks.py" in tasks
    own_tests(project, clean_env())
    commit_all(project, "uv.lock with the worker")

    # --- auth, turned on with `-d auth=true` --------------------------------------------
    assert update(project, "auth=true")["auth"] is True
    assert_user_work_kept(project)
    commit_all(project, "auth on")
    run(["uv", "sync"], project)
    own_tests(project, clean_env(DATABASE_URL=postgres_url))
    for name, env in envs.items():
        procfile.release(project, env)
        kept = [(row["name"], row["description"]) for row in rows[name]][::-1]
        assert ownerless_rows(project, env, stack) == kept, name
        with procfile.start(project, "web", env) as web:
            assert httpx.get(f"{web.url}/api/items", timeout=30).status_code == 401
            headers = log_in(web.url, "owner@example.com", "correct horse battery staple")
            # Items from before auth belong to nobody: no user sees them until given an owner.
            listed = httpx.get(f"{web.url}/api/items", headers=headers, timeout=30)
            assert listed.status_code == 200 and listed.json() == [], listed.text
            created = httpx.post(
                f"{web.url}/api/items", json={"name": "mine"}, headers=headers, timeout=30
            )
            assert created.status_code == 201, created.text
            # CONTRACT 3b: a new registration starts unverified.
            assert me(web.url, headers)["email_verified"] is False, name
            if stack == "django":
                assert_old_users_log_in(web.url, DJANGO_USERS)
            if stack == "django" and name == "sqlite":
                form = {"username": "admin@example.com", "password": admin_password}
                token = httpx.post(f"{web.url}/api/auth/token", data=form, timeout=30)
                assert token.status_code == 200, token.text
                # The admin existed before accounts (CONTRACT 3b): verified, as every such user.
                bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
                assert me(web.url, bearer)["email_verified"] is True


def test_a_django_project_without_celery_keeps_its_worker_off(
    releases: Path, tmp_path: Path
) -> None:
    """Issue 28: the worker question has one name in every stack, `worker`. A first-release
    Django project recorded its answer as `celery`; no question has that name now, so Copier
    hands the recorded answer to `worker`'s default, and plain `copier update --defaults`
    records it under the new name: a project without Celery stays without."""
    project = tmp_path / "demo-app"
    copy = [*COPIER, "copy", "--defaults", "--vcs-ref", "v0.1.0", "-d", "framework=django"]
    data = ["-d", "project_name=demo-app", "-d", "celery=false"]
    run([*copy, *data, str(releases), str(project)], tmp_path)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "generated")
    assert not (project / PACKAGE / "celery.py").exists()

    answers = update(project)
    assert answers["worker"] is False
    assert "celery" not in answers
    assert not (project / PACKAGE / "celery.py").exists()
    assert not (project / PACKAGE / "items" / "tasks.py").exists()
    assert "worker" not in procfile.read(project)


# Accounts made through the old release's API, with the spellings it stored as they were.
OLD_ACCOUNTS = {
    "sam@example.com": "sam's own long password",
    "Ann.Lee@Example.com": "ann's own long password",
}
# FastAPI and Flask stored this lookalike of sam's address as a second account before issue 26.
LOOKALIKE = "\u017fam@example.com"


def register_old_accounts(url: str, stack: str) -> None:
    accounts = dict(OLD_ACCOUNTS)
    if stack != "django":  # Django's email check refused it
        accounts[LOOKALIKE] = "the lookalike's own password"
    for email, password in accounts.items():
        body = {"email": email, "password": password}
        created = httpx.post(f"{url}/api/auth/register", json=body, timeout=30)
        assert created.status_code == 201, f"{email}: {created.text}"


def token_for(url: str, email: str, password: str) -> httpx.Response:
    form = {"username": email, "password": password}
    return httpx.post(f"{url}/api/auth/token", data=form, timeout=30)


@pytest.mark.parametrize("stack", STACKS)
def test_users_from_before_canonical_emails_still_log_in(
    stack: str, releases: Path, tmp_path: Path, seeded_postgres_url: str, postgres_url: str
) -> None:
    """Issue 26: a project from main before canonical emails, with auth on and accounts in its
    tables (on SQLite and PostgreSQL), takes plain `copier update --defaults`: every account
    logs in with its old password, under any spelling of its address, and counts as verified
    (`"email_verified": true`, CONTRACT 3b); of two lookalike accounts the older keeps the
    address; the project's own tests pass on both databases."""
    project = old_project(releases, tmp_path / "demo-app", stack, release="v0.1.26")
    envs = {
        "sqlite": procfile.production_env(),
        "postgres": procfile.production_env(DATABASE_URL=seeded_postgres_url),
    }
    for env in envs.values():
        procfile.release(project, env)
        with procfile.start(project, "web", env) as web:
            register_old_accounts(web.url, stack)
        if stack == "django":
            make_django_users(project, env)

    answers = update_and_test(project, postgres_url)
    assert answers.get("admin", False) is False
    assert not (project / PACKAGE / "admin").exists()

    for name, env in envs.items():
        procfile.release(project, env)
        if stack == "django":
            assert_django_users_kept(project, env)
        with procfile.start(project, "web", env) as web:
            if stack == "django":
                assert_old_users_log_in(web.url, DJANGO_USERS)
            for email, password in OLD_ACCOUNTS.items():
                for spelling in (email, email.upper(), f"  {email.lower()} "):
                    response = token_for(web.url, spelling, password)
                    assert response.status_code == 200, f"{name}: {spelling}: {response.text}"
                # Accounts from before CONTRACT 3b count as verified.
                access = {"Authorization": f"Bearer {response.json()['access_token']}"}
                account = me(web.url, access)
                assert account["email"].casefold() == email.casefold(), f"{name}: {account}"
                assert account["email_verified"] is True, f"{name}: {account}"
            # The lookalike now names sam's account, whose password it must give.
            assert token_for(web.url, LOOKALIKE, OLD_ACCOUNTS["sam@example.com"]).status_code == 200
            if stack != "django":
                refused = token_for(web.url, LOOKALIKE, "the lookalike's own password")
                assert refused.status_code == 401, f"{name}: {refused.text}"
            again = httpx.post(
                f"{web.url}/api/auth/register",
                json={"email": "ANN.LEE@example.com", "password": "yet another long password"},
                timeout=30,
            )
            assert again.status_code == 409, f"{name}: {again.text}"


# Django users from before `users.User` (issue 28), made the way the admin and
# `createsuperuser` make them, in whatever user model the release has: one staff member with a
# permission of their own, one member of a group that has one, one with neither.
DJANGO_USERS = {
    "staff@example.com": "the staff member's own password",
    "member@example.com": "the group member's own password",
    "plain@example.com": "the plain user's own password",
}
MAKE_DJANGO_USERS = """
import json, os
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
passwords = json.loads(os.environ["OLD_USERS"])
users = get_user_model().objects
made = {name: users.create_user(name, name, password) for name, password in passwords.items()}
made["staff@example.com"].is_staff = True
made["staff@example.com"].save()
made["staff@example.com"].user_permissions.add(Permission.objects.get(codename="change_user"))
editors = Group.objects.create(name="editors")
editors.permissions.add(Permission.objects.get(codename="view_user"))
made["member@example.com"].groups.add(editors)
"""
READ_DJANGO_USERS = """
import json, os
from django.conf import settings
from django.contrib.auth import get_user_model
users = {}
for name, password in json.loads(os.environ["OLD_USERS"]).items():
    user = get_user_model().objects.get(username=name)
    groups = sorted(group.name for group in user.groups.all())
    permissions = sorted(user.get_all_permissions())
    users[name] = [user.check_password(password), user.is_staff, groups, permissions]
print("USERS " + json.dumps({"model": settings.AUTH_USER_MODEL, "users": users}))
"""
DJANGO_USERS_AFTER = {
    "model": "users.User",
    "users": {
        "staff@example.com": [True, True, [], ["users.change_user"]],
        "member@example.com": [True, False, ["editors"], ["users.view_user"]],
        "plain@example.com": [True, False, [], []],
    },
}


def manage_shell(project: Path, env: dict[str, str], script: str) -> str:
    command = ["uv", "run", "python", "manage.py", "shell", "-c", script]
    return run(command, project, env={**env, "OLD_USERS": json.dumps(DJANGO_USERS)}).stdout


def make_django_users(project: Path, env: dict[str, str]) -> None:
    manage_shell(project, env, MAKE_DJANGO_USERS)


def assert_django_users_kept(project: Path, env: dict[str, str]) -> None:
    """Every user, password, staff flag, group and permission as before, now `users.User`,
    and no model change left without its migration (`makemigrations --check`)."""
    output = manage_shell(project, env, READ_DJANGO_USERS)
    line = next(line for line in output.splitlines() if line.startswith("USERS "))
    assert json.loads(line.removeprefix("USERS ")) == DJANGO_USERS_AFTER
    check = ["uv", "run", "python", "manage.py", "makemigrations", "--check", "--dry-run"]
    assert "No changes detected" in run(check, project, env=env).stdout


def assert_old_users_log_in(url: str, accounts: dict[str, str]) -> None:
    for email, password in accounts.items():
        response = token_for(url, email, password)
        assert response.status_code == 200, f"{email}: {response.text}"


def test_django_users_from_before_users_user_keep_everything(
    releases: Path, tmp_path: Path, seeded_postgres_url: str, postgres_url: str
) -> None:
    """Issue 28: a Django project from main just before `users.User` (its users in
    `auth_user`, accounts and refresh tokens beside them), with auth on and users in its
    tables on SQLite and PostgreSQL, takes plain `copier update --defaults`. Its release line
    adopts the table: every user logs in with their old password and keeps their staff flag,
    groups and permissions; `makemigrations --check` is clean; its own tests pass on both."""
    project = old_project(releases, tmp_path / "demo-app", "django", release="v0.1.35")
    envs = {
        "sqlite": procfile.production_env(),
        "postgres": procfile.production_env(DATABASE_URL=seeded_postgres_url),
    }
    for env in envs.values():
        procfile.release(project, env)
        make_django_users(project, env)

    update_and_test(project, postgres_url)
    assert (project / PACKAGE / "users" / "migrations" / "0000_user.py").is_file()

    for name, env in envs.items():
        procfile.release(project, env)
        assert_django_users_kept(project, env)
        with procfile.start(project, "web", env) as web:
            assert_old_users_log_in(web.url, DJANGO_USERS)
            # Their accounts came through too: made unverified in that release, still so.
            token = token_for(web.url, "staff@example.com", DJANGO_USERS["staff@example.com"])
            access = {"Authorization": f"Bearer {token.json()['access_token']}"}
            account = me(web.url, access)
            assert account["email"] == "staff@example.com", name
            assert account["email_verified"] is False, name


def assert_user_work_kept(project: Path) -> None:
    assert "## Our runbook" in (project / "README.md").read_text()
    assert (project / PACKAGE / "pricing.py").read_text().startswith('"""Ours."""')
    assert (project / "tests" / "test_pricing.py").exists()
    assert "LOG_LEVEL=warning" in (project / ".env.example").read_text()


def log_in(url: str, email: str, password: str) -> dict[str, str]:
    registered = httpx.post(
        f"{url}/api/auth/register", json={"email": email, "password": password}, timeout=30
    )
    assert registered.status_code == 201, registered.text
    token = httpx.post(
        f"{url}/api/auth/token", data={"username": email, "password": password}, timeout=30
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def me(url: str, headers: dict[str, str]) -> dict[str, Any]:
    """GET /api/users/me as the holder of `headers`."""
    response = httpx.get(f"{url}/api/users/me", headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ownerless_rows(project: Path, env: dict[str, str], stack: str) -> list[tuple[str, str]]:
    """The seeded rows, read from the database itself: kept, and owned by nobody."""
    table = "items_item" if stack == "django" else "items"
    url = env.get("DATABASE_URL")
    query = f"SELECT name, description FROM {table} WHERE owner_id IS NULL ORDER BY id"
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            return [tuple(row) for row in conn.execute(query).fetchall()]
    import sqlite3

    with sqlite3.connect(project / "db.sqlite3") as conn:
        return [tuple(row) for row in conn.execute(query).fetchall()]
