"""Render: every stack x every option combination renders, with no leftover Jinja, clean ruff,
and exactly the optional files its answers ask for."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import JINJA_LEFTOVER, NEW_PROJECT_DEFAULTS, REPO, STACKS, render, resolved_answers

from scaffold.stacks import stacks

RUFF = [sys.executable, "-m", "ruff"]
STACK_OPTIONS: dict[str, dict[str, list[Any]]] = {
    "django": {"worker": [True, False]},
    "fastapi": {"worker": [True, False]},
    "flask": {"worker": [True, False]},
}
# The file that holds the queue's app, loaded by the `worker` and `scheduler` processes.
WORKER_MODULE = {"django": "celery.py", "fastapi": "worker.py", "flask": "celery.py"}
SHARED_OPTIONS: dict[str, list[Any]] = {
    "docker": [True, False],
    "ci": ["github", "none"],
    "auth": [True, False],
}
# Questions of copier.yml itself that one stack only asks (its `when:`); they sit there rather
# than in the stack's file because their defaults depend on the order of the questions.
ROOT_STACK_OPTIONS: dict[str, dict[str, list[Any]]] = {
    "django": {"trust_proxy_headers": [True, False]},
    "fastapi": {"admin": [True, False]},
    "flask": {"admin": [True, False]},
}
# The stacks whose templates implement the `auth` question (copier.yml's `when:`).
AUTH_STACKS = {"django", "fastapi", "flask"}


def combinations() -> list[tuple[str, dict[str, Any]]]:
    combos = []
    for stack in STACKS:
        options = {
            **SHARED_OPTIONS,
            **ROOT_STACK_OPTIONS.get(stack, {}),
            **STACK_OPTIONS.get(stack, {}),
        }
        for values in itertools.product(*options.values()):
            combo = dict(zip(options, values, strict=True))
            if not (combo.get("admin") and not combo["auth"]):  # refused: admin needs auth
                combos.append((stack, combo))
        # Kubernetes adds files and blocks beside everything else, and needs the Dockerfile:
        # one rendering per stack with it on (and everything else on), not another factor.
        everything = {key: choices[0] for key, choices in options.items()}
        combos.append((stack, {**everything, "docker": True, "kubernetes": True}))
    return combos


def _id(combo: tuple[str, dict[str, Any]]) -> str:
    stack, answers = combo
    return "-".join([stack, *(f"{key}={value}" for key, value in answers.items())])


def test_stack_list_matches_copier_choices_and_template_directories() -> None:
    text = (REPO / "copier.yml").read_text().split("\n---\n!include")[0]
    choices = yaml.safe_load(text.replace("---\n", "", 1))["framework"]["choices"]
    directories = sorted(
        p.name for p in (REPO / "templates").iterdir() if not p.name.startswith("_")
    )
    assert sorted(choices.values()) == STACKS == directories


def test_every_stack_question_is_in_the_render_matrix() -> None:
    for stack in STACKS:
        questions_file = REPO / "templates" / stack / "copier-questions.yml"
        questions = yaml.safe_load(questions_file.read_text()) if questions_file.exists() else {}
        assert set(questions or {}) == set(STACK_OPTIONS.get(stack, {})), stack


@pytest.mark.parametrize("combo", combinations(), ids=_id)
def test_renders_cleanly(combo: tuple[str, dict[str, Any]], tmp_path: Path) -> None:
    stack, answers = combo
    project = render(tmp_path / "demo-app", stack, **answers)
    leftovers = []
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.parts and path.suffix != ".gz":
            text = path.read_text(errors="replace")
            # GitHub Actions expressions are meant to stay; everything else must be rendered.
            text = (
                text.replace("${{", "").replace("}}", "")
                if path.suffix in {".yml", ".yaml"}
                else text
            )
            # The app's own templates (admin pages, mails) are Jinja or Django templates that
            # the running app renders: they keep their tags.
            at_run_time = "templates" in path.relative_to(project).parts[:-1]
            if JINJA_LEFTOVER.search(text) and not at_run_time:
                leftovers.append(str(path.relative_to(project)))
    assert not leftovers, f"unrendered Jinja in {leftovers}"
    assert not list(project.rglob("*.jinja")), "no .jinja file is left in the project"
    assert (project / "Dockerfile").exists() == answers["docker"]
    assert (project / "compose.yaml").exists() == answers["docker"]
    assert (project / ".github/workflows/ci.yml").exists() == (answers["ci"] == "github")
    kubernetes = answers.get("kubernetes", False)
    assert (project / "deploy/k8s/base/kustomization.yaml").exists() == kubernetes
    assert ("### Kubernetes" in (project / "README.md").read_text()) == kubernetes
    for name in (
        "README.md",
        "Procfile",
        ".env.example",
        "pyproject.toml",
        ".copier-answers.yml",
        ".pre-commit-config.yaml",
        ".gitignore",
        ".gitattributes",
        ".editorconfig",
        "tests/conftest.py",
        "tests/test_health.py",
        "tests/test_items.py",
        "tests/test_migrations.py",
    ):
        assert (project / name).is_file(), f"{stack} lacks {name}"
    auth = answers["auth"] and stack in AUTH_STACKS
    # Django's users app (its own User model) is there either way; its login only with auth.
    users_app = auth or stack == "django"
    assert (project / "demo_app/users").exists() == users_app
    assert (project / "demo_app/users/tokens.py").exists() == auth
    assert ("/api/auth/token" in (project / "README.md").read_text()) == auth
    worker = answers["worker"]
    assert (project / "demo_app" / WORKER_MODULE[stack]).exists() == worker
    for name in ("demo_app/items/tasks.py", "tests/test_tasks.py"):
        assert (project / name).exists() == worker, name
    procfile = (project / "Procfile").read_text()
    assert ("\nworker: " in procfile) == worker
    assert ("\nscheduler: " in procfile) == worker
    if answers["docker"]:
        services = set(yaml.safe_load((project / "compose.yaml").read_text())["services"])
        worker_services = {"redis", "worker", "scheduler"}
        assert (services & worker_services) == (worker_services if worker else set()), services
    if "trust_proxy_headers" in answers:
        trusted = "true" if answers["trust_proxy_headers"] else "false"
        assert f"\nTRUST_PROXY_HEADERS={trusted}\n" in (project / ".env.example").read_text()
        settings = (project / "demo_app" / "settings.py").read_text()
        assert f'env.bool("TRUST_PROXY_HEADERS", default={trusted.title()})' in settings
    for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        result = subprocess.run([*RUFF, *command], cwd=project, capture_output=True, text=True)
        assert result.returncode == 0, f"ruff {command[0]}:\n{result.stdout}{result.stderr}"
    assert not list(project.rglob("uv.lock")), "no stale lock file is shipped"
    shutil.rmtree(project)


def test_readme_sections_share_one_order(tmp_path: Path) -> None:
    order = [
        "## Quick start",
        "## Run",
        "## Test",
        "## Configure",
        "## Deploy",
        "## Update from the template",
        "## Why this stack",
    ]
    for stack in STACKS:
        readme = (render(tmp_path / stack, stack) / "README.md").read_text()
        headings = [line for line in readme.splitlines() if line.startswith("## ")]
        assert [h for h in headings if h in order] == order, (stack, headings)


def test_procfiles_share_line_names(tmp_path: Path) -> None:
    for stack in STACKS:
        with_worker = {"worker": True}
        procfile = (render(tmp_path / stack, stack, **with_worker) / "Procfile").read_text()
        names = [
            line.split(":", 1)[0]
            for line in procfile.splitlines()
            if line and not line.startswith("#")
        ]
        assert names == ["release", "web", "worker", "scheduler"], (stack, names)
        assert all(
            line.split(":", 1)[1].strip().startswith("uv run ")
            for line in procfile.splitlines()
            if ":" in line and not line.startswith("#")
        )


def test_why_this_stack_renders_the_recorded_reasons(tmp_path: Path) -> None:
    reasons = ["An admin panel is needed early.", "A relational domain."]
    for stack in STACKS:
        project = render(
            tmp_path / stack, stack, stack_reasons=reasons, stack_answers={"admin": True}
        )
        readme = (project / "README.md").read_text()
        why = readme.split("## Why this stack", 1)[1]
        assert all(reason in why for reason in reasons), stack


@pytest.mark.parametrize("python_version", ["3.11", "3.12", "3.13", "3.14"])
@pytest.mark.parametrize("stack", STACKS)
def test_python_version_sets_the_docker_image_and_ci(
    stack: str, python_version: str, tmp_path: Path
) -> None:
    """The image runs the chosen version; CI tests it and, as a matrix, the oldest (3.11)."""
    project = render(tmp_path / "demo-app", stack, python_version=python_version)
    images = [
        line
        for line in (project / "Dockerfile").read_text().splitlines()
        if line.startswith("FROM python:")
    ]
    assert images and all(
        line.startswith(f"FROM python:{python_version}.") or f"python:{python_version}-" in line
        for line in images
    ), images
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    test_job = workflow["jobs"]["test"]
    versions = test_job["strategy"]["matrix"]["python-version"]
    assert versions == sorted({python_version, "3.11"}, reverse=True), versions
    setup = [step for step in test_job["steps"] if "setup-uv" in step.get("uses", "")]
    assert setup and setup[0]["with"]["python-version"] == "${{ matrix.python-version }}"
    assert 'requires-python = ">=3.11"' in (project / "pyproject.toml").read_text()


def test_python_version_defaults_to_313(tmp_path: Path) -> None:
    project = render(tmp_path / "demo-app", "flask")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["python_version"] == "3.13"


@pytest.mark.parametrize("stack", STACKS)
def test_free_text_answers_stay_valid_toml(stack: str, tmp_path: Path) -> None:
    import tomllib

    answers = {
        "description": 'Orders "v2" \\ the back office',
        "author_name": "Zoë O'Brien",
        "author_email": "zoe@example.com",
    }
    project = render(tmp_path / "demo-app", stack, **answers)
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert metadata["description"] == answers["description"]
    assert metadata["authors"] == [
        {"name": answers["author_name"], "email": answers["author_email"]}
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_no_author_means_no_authors_entry(stack: str, tmp_path: Path) -> None:
    import tomllib

    project = render(tmp_path / "demo-app", stack, author_name="", author_email="")
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert "authors" not in metadata or metadata["authors"] == []


# Django's and Flask's workers run on Celery (FastAPI's on taskiq): scaffold new refuses the name
# first (stacks.yaml), plain Copier here.
@pytest.mark.parametrize("stack", ["django", "flask"])
def test_a_package_named_celery_is_refused(stack: str, tmp_path: Path) -> None:
    # It would shadow the Celery library for `celery -A <package>` and every `from celery import`.
    with pytest.raises(ValueError, match="'celery' would shadow the Celery library"):
        render(tmp_path / "demo-app", stack, package_name="celery")
    assert not (tmp_path / "demo-app" / "celery").exists()


@pytest.mark.parametrize("stack", STACKS)
def test_new_project_defaults_are_the_ones_the_tests_share_projects_by(
    stack: str, tmp_path: Path
) -> None:
    """conftest.Projects keys a rendering on its resolved answers (helpers.resolved_answers):
    a project rendered with no answers records exactly those defaults."""
    recorded = yaml.safe_load(
        (render(tmp_path / "demo-app", stack) / ".copier-answers.yml").read_text()
    )
    options = {key: recorded[key] for key in NEW_PROJECT_DEFAULTS[stack]}
    assert options == resolved_answers(stack, {})
    assert not {k for k, v in recorded.items() if isinstance(v, bool)} - set(options)


@pytest.mark.parametrize("stack", STACKS)
def test_next_steps_are_the_readme_s_own_commands(stack: str, tmp_path: Path) -> None:
    """What `scaffold new` prints as next steps (stacks.yaml) is what the project's README
    says to run, so the two cannot drift apart."""
    readme = (render(tmp_path / "demo-app", stack) / "README.md").read_text()
    for step in stacks()[stack].next_steps:
        assert step.format(package="demo_app") in readme, step
