"""Safe, locked and reproducible infrastructure in every generated project (issue 16): compose
never turns DEBUG on and publishes on loopback only; secrets stay out of git; images and
dependencies are pinned; the image checks its own health and cannot rewrite its code; CI audits
the dependencies and Dependabot proposes updates. Rendered only: nothing is installed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from helpers import STACKS, render


@pytest.fixture(scope="module", params=STACKS)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    stack = request.param
    return render(tmp_path_factory.mktemp(stack) / "demo-app", stack)


def _web(compose: dict[str, object]) -> dict[str, object]:
    services = compose["services"]
    assert isinstance(services, dict)
    # Mailpit, the development mail catcher, publishes its own (on loopback: checked below).
    published = [
        service for name, service in services.items() if service.get("ports") and name != "mailpit"
    ]
    assert len(published) == 1, f"one service publishes a port: {list(services)}"
    for port in services.get("mailpit", {}).get("ports", []):
        assert str(port).startswith("127.0.0.1:"), f"mailpit publishes {port} beyond loopback"
    return dict(published[0])


def test_compose_sets_debug_off_and_publishes_on_loopback(project: Path) -> None:
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    web = _web(compose)
    environment = web["environment"]
    assert isinstance(environment, dict)
    # Not `${DEBUG:-false}`: compose would read DEBUG=true from a copied .env.example.
    assert environment["DEBUG"] == "false", environment["DEBUG"]
    assert web["ports"] == ["127.0.0.1:8000:8000"], web["ports"]
    for name, service in compose["services"].items():
        assert str(service.get("environment", {}).get("DEBUG", "false")) == "false", name


def test_env_files_are_ignored_but_the_example(project: Path) -> None:
    lines = (project / ".gitignore").read_text().splitlines()
    assert ".env*" in lines and "!.env.example" in lines
    assert ".env*" in (project / ".dockerignore").read_text().splitlines()


def test_dockerfile_is_locked_pinned_and_checks_its_health(project: Path) -> None:
    dockerfile = (project / "Dockerfile").read_text()
    images = re.findall(r"^FROM (\S+)", dockerfile, flags=re.MULTILINE)
    assert images and all(re.fullmatch(r"python:3\.\d+\.\d+-slim", image) for image in images)
    uv_images = re.findall(r"--from=(ghcr\.io/astral-sh/uv:\S+)", dockerfile)
    assert uv_images and all(re.fullmatch(r".*:\d+\.\d+\.\d+", image) for image in uv_images)
    syncs = [line for line in dockerfile.splitlines() if "uv sync" in line]
    assert syncs and all("--locked" in line for line in syncs), syncs
    assert "COPY pyproject.toml uv.lock ./" in dockerfile
    healthcheck = re.search(r"^HEALTHCHECK .*?CMD (.+)$", dockerfile, re.MULTILINE | re.DOTALL)
    assert healthcheck and '["python", "-c",' in healthcheck.group(1)
    assert "/health" in healthcheck.group(1)
    instructions = [line for line in dockerfile.splitlines() if not line.startswith("#")]
    assert not any("curl" in line for line in instructions), "slim images have no curl"


def test_the_app_user_cannot_change_the_code(project: Path) -> None:
    """Everything is copied as root (no --chown, no chown/chmod to the user): the app user
    10001 can read the code and the virtualenv but write neither."""
    dockerfile = (project / "Dockerfile").read_text()
    runtime = dockerfile.split("\nFROM ", 2)[-1]
    assert "--chown" not in runtime and "chown" not in runtime and "chmod" not in runtime
    assert "install -d -o app" not in runtime
    lines = runtime.splitlines()
    user = next(index for index, line in enumerate(lines) if line.startswith("USER "))
    assert lines[user] == "USER 10001"
    assert not any(line.startswith(("COPY", "ADD")) for line in lines[user:]), "copied after USER"


def test_ci_syncs_locked_and_audits_dependencies(project: Path) -> None:
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    runs = [
        str(step.get("run", ""))
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
    ]
    syncs = [run for run in runs if run.startswith("uv sync")]
    assert syncs and all("--locked" in run for run in syncs), syncs
    assert any("pip-audit" in run for run in runs), runs
    assert any(run.startswith("uv export --locked") for run in runs), runs


def test_dependabot_watches_uv_docker_and_actions(project: Path) -> None:
    config = yaml.safe_load((project / ".github/dependabot.yml").read_text())
    assert config["version"] == 2
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    assert ecosystems == {"uv", "docker", "github-actions"}, ecosystems


@pytest.mark.parametrize("stack", STACKS)
def test_dependabot_follows_the_options(stack: str, tmp_path: Path) -> None:
    no_ci = render(tmp_path / "no-ci", stack, ci="none")
    assert not (no_ci / ".github").exists()
    no_docker = render(tmp_path / "no-docker", stack, docker=False)
    config = yaml.safe_load((no_docker / ".github/dependabot.yml").read_text())
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    assert ecosystems == {"uv", "github-actions"}, ecosystems
