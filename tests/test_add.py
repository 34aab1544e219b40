"""`scaffold add FEATURE`: `scaffold update -d FEATURE=true` for a yes/no question that the
project's template offers its framework, read from the template itself."""

from __future__ import annotations

from pathlib import Path

import procfile
import pytest
import yaml
from helpers import clean_env, run, scaffold
from test_admin_screens import ADMIN_STACKS
from test_update import COPIER, IDENTITY, clone_template, commit_all, git
from test_upgrade import ROWS, own_tests, ownerless_rows, seed_items, seeded_postgres_url

__all__ = ["seeded_postgres_url"]  # a fixture, used by name

pytestmark = pytest.mark.update


@pytest.fixture
def django_without_worker(tmp_path: Path) -> Path:
    template = clone_template(tmp_path / "scaffold")
    project = tmp_path / "demo-app"
    run(
        [
            *COPIER,
            "copy",
            "--defaults",
            "--vcs-ref",
            "v1.0.0",
            "-d",
            "framework=django",
            "-d",
            "project_name=demo-app",
            "-d",
            "worker=false",
            str(template),
            str(project),
        ],
        tmp_path,
    )
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "generated")
    return project


def _answers(project: Path) -> dict[str, object]:
    loaded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_add_turns_on_a_feature_the_template_offers(django_without_worker: Path) -> None:
    project = django_without_worker
    assert _answers(project)["worker"] is False
    assert not (project / "demo_app" / "celery.py").exists()

    rehearsal = scaffold("add", "worker", "--dry-run", cwd=project)
    assert rehearsal.returncode == 0, rehearsal.stdout + rehearsal.stderr
    assert "demo_app/celery.py" in rehearsal.stdout
    assert run(["git", "status", "--porcelain"], project).stdout == ""

    added = scaffold("add", "worker", cwd=project)
    assert added.returncode == 0, added.stdout + added.stderr
    assert _answers(project)["worker"] is True
    assert (project / "demo_app" / "celery.py").is_file()

    run(["git", *IDENTITY, "commit", "-qam", "worker", "--no-verify"], project)
    run(["git", *IDENTITY, "add", "-A"], project)
    run(["git", *IDENTITY, "commit", "-qm", "worker files", "--no-verify"], project, check=False)
    again = scaffold("add", "worker", cwd=project)
    assert again.returncode == 0 and "already on" in again.stdout


def test_add_refuses_what_the_template_does_not_offer(django_without_worker: Path) -> None:
    for feature in ("kafka", "project_name", "python_version"):
        result = scaffold("add", feature, cwd=django_without_worker)
        assert result.returncode == 2, result.stdout + result.stderr
        line = result.stderr.strip().splitlines()[-1]
        assert line.startswith("error: ") and f"'{feature}' is not a feature" in line
        assert "worker" in line and "docker" in line  # the ones a django project is offered
    assert run(["git", "status", "--porcelain"], django_without_worker).stdout == ""


def test_features_follow_the_framework(tmp_path: Path) -> None:
    from helpers import REPO

    from scaffold.render import features

    flask = features(tmp_path, str(REPO), "HEAD", {"framework": "flask"})
    django = features(tmp_path, str(REPO), "HEAD", {"framework": "django"})
    assert "admin" in flask and "admin" not in django  # Django always has its admin
    assert {"docker", "worker"} <= set(django) & set(flask)


@pytest.mark.parametrize("stack", ADMIN_STACKS)
def test_add_admin_turns_auth_on_too_and_keeps_the_items(
    stack: str, tmp_path: Path, seeded_postgres_url: str, postgres_url: str
) -> None:
    """Issue 32: a project made without auth takes `scaffold add admin`: both come on in one
    update, the migrations keep its items (owned by nobody), and its tests pass on SQLite and
    PostgreSQL."""
    template = clone_template(tmp_path / "scaffold")
    project = tmp_path / "demo-app"
    args = ["-d", f"framework={stack}", "-d", "project_name=demo-app", "-d", "auth=false"]
    run(
        [*COPIER, "copy", "--defaults", "--vcs-ref", "v1.0.0", *args, str(template), str(project)],
        tmp_path,
    )
    git(project, "init", "-q", "-b", "main")
    run(["uv", "sync"], project)
    commit_all(project, "generated")
    envs = {
        "sqlite": procfile.production_env(),
        "postgres": procfile.production_env(DATABASE_URL=seeded_postgres_url),
    }
    for env in envs.values():
        seed_items(project, env)

    added = scaffold("add", "admin", cwd=project)
    assert added.returncode == 0, added.stdout + added.stderr
    answers = _answers(project)
    assert answers["admin"] is True and answers["auth"] is True
    commit_all(project, "admin on")
    run(["uv", "sync"], project)
    own_tests(project, clean_env())
    own_tests(project, clean_env(DATABASE_URL=postgres_url))
    kept = [(row["name"], row["description"]) for row in ROWS]
    for name, env in envs.items():
        procfile.release(project, env)
        assert ownerless_rows(project, env, stack) == kept, name
