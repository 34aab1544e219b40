"""The peer starters that throughput.py and memory.py compare our generated projects with
(issue 29), prepared from local checkouts and started like our `web` lines.

Nothing is fetched from a git host at run time: `--peers DIR` names a directory holding a
checkout of each peer, at the commit we measured. To obtain them:

    git clone https://github.com/fastapi/full-stack-fastapi-template DIR/full-stack-fastapi-template
    git -C DIR/full-stack-fastapi-template checkout 68adb40d37425f6f8668ec7e5a054500d045e43e
    git clone https://github.com/cookiecutter/cookiecutter-django DIR/cookiecutter-django
    git -C DIR/cookiecutter-django checkout 2d3b8809f288187b3014163a3310766b5f962cf9

(cookiecutter-django 2d3b880 is release 2026.8.18.) The checkouts are only read: each peer is
copied into the benchmark's temporary directory and changed there. Their Python dependencies
are installed from PyPI with uv (as their own Dockerfiles do), and cookiecutter-django is
rendered with cookiecutter 2.7.1 from PyPI (`uvx --from cookiecutter==2.7.1`).

Python. Both peers ask for Python 3.14 (full-stack-fastapi-template `>=3.14`,
cookiecutter-django `==3.14.*`); they run on BENCH_PEER_PYTHON (a version uv can find, or an
interpreter's path; default 3.13, found with `uv python find` or under ~/.pyenv/versions).
cookiecutter-django's Django 6 needs 3.12 or newer, so they cannot share our projects'
interpreter when that is 3.11. The Python each side ran on is printed with the figures.

What the benchmark changes in each peer, and nothing more:

full-stack-fastapi-template (FSF), `backend/` (the API; the React frontend is not built):
  - `requires-python` `>=3.14` -> `>=3.13`, then `uv sync --package app --no-dev` re-locks
    (uv keeps every locked version; it only adds the older Python's wheels);
  - two lines of 3.14-only syntax written the 3.13 way, same meaning: `except A, B:` ->
    `except (A, B):` (app/api/deps.py) and `list[Item]` -> `list["Item"]`, a forward reference
    that 3.14 defers on its own (app/models.py);
  - an empty placeholder `app/frontend/index.html`: `app.frontend("/", ...)` refuses to start
    without the built frontend, which the API routes never touch.
  Settings from the environment (app/core/config.py): DATABASE_URL (a fresh PostgreSQL
  database), SECRET_KEY, PROJECT_NAME, FIRST_SUPERUSER(_PASSWORD); no SENTRY_DSN, no SMTP.
  Released with its own scripts/prestart.sh (alembic upgrade head, initial data) and served
  with its Dockerfile's production command, `fastapi run`, with `--workers 1`. A user signs up
  (POST /api/v1/users/signup) and logs in as its clients do (POST /api/v1/login/access-token,
  a bearer token); 10 items are created through POST /api/v1/items/; measured:
  GET /api/v1/items/ (the caller's items, newest first, with their count: 10 rows).

cookiecutter-django (CCD), rendered with `--no-input` and rest_api=DRF, cloud_provider=None,
use_whitenoise=y (required without a cloud provider), mail_service="Other SMTP" (plain SMTP,
no provider account), use_docker=n; everything else its defaults (username login, no Celery,
no Sentry):
  - `requires-python` `==3.14.*` -> `==3.X.*` (BENCH_PEER_PYTHON's minor version) and no
    `.python-version` in the template, so its post-generation hook (`uv add -r
    requirements/...`) resolves for that interpreter; then `uv sync --no-dev` (the production
    dependencies, psycopg[c] built from source: it needs libpq-dev and a C compiler);
  - `UserViewSet.get_queryset` lists only the caller (`filter(id=request.user.id)`), so the
    shipped GET /api/users/ always serves one row. To serve the same 10 rows as ours, the
    measured copy lists the first 10 users for the `list` action (`order_by("pk")[:10]`) and
    keeps the shipped filter for every other action. The copy as shipped runs too, from the
    same venv and database, as a second peer row (1 row per request).
  Settings: config.settings.production with DATABASE_URL, DJANGO_SECRET_KEY,
  DJANGO_ADMIN_URL, DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost, REDIS_URL (BENCH_REDIS, default
  redis://127.0.0.1:6379/0: its cache) and DJANGO_SECURE_SSL_REDIRECT=False (loopback HTTP,
  as our projects get SECURE_SSL_REDIRECT=false). Released with `migrate` and, as its
  compose/production/django/start does, `collectstatic`; served with that script's command,
  `gunicorn config.wsgi` (one sync worker: gunicorn's default, WEB_CONCURRENCY=1), with
  `--no-control-socket` (gunicorn 26's runtime control socket, one path in $HOME shared by every
  gunicorn on the machine; our projects turn it off too; it plays no part in a request). 10 users
  are created with `manage.py shell` and one logs in as DRF clients do (POST /api/auth-token/,
  `Authorization: Token KEY`); measured: GET /api/users/.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from _common import BENCH, EMAIL, PASSWORD, Failed, clean_env, database, http, run, server

FSF, CCD = "full-stack-fastapi-template", "cookiecutter-django"
GITHUB = "https://github.com"
REPOSITORIES = {  # the clone URL, and the commit measured
    FSF: (f"{GITHUB}/fastapi/{FSF}", "68adb40d37425f6f8668ec7e5a054500d045e43e"),
    CCD: (f"{GITHUB}/cookiecutter/{CCD}", "2d3b8809f288187b3014163a3310766b5f962cf9"),
}
# Our stack: its peer, and the target of ours/peer on the authenticated list (issue 29).
PEER_OF = {"fastapi": FSF, "django": CCD}
TARGETS = {FSF: 2.5, CCD: 1.4}
COOKIECUTTER = "2.7.1"
ROWS = 10


@dataclass
class Peer:
    """One running peer server: what throughput.py and memory.py need to send it requests."""

    name: str  # shown in the tables
    url: str  # base URL
    path: str  # the authenticated list
    headers: dict[str, str]
    rows: int  # rows the list serves
    target: float | None  # ours/peer goal on the list; None: shown for comparison only
    server: str  # its server and workers
    python: str  # the Python version it runs on
    health: str | None = None  # an unauthenticated cheap path, if the peer has one


def check(peers: Path, stacks: list[str]) -> None:
    """Exit 2, saying how to obtain it, when a peer the stacks need is not in `peers`."""
    for stack in stacks:
        name = PEER_OF.get(stack)
        if name is None or (peers / name).is_dir():
            continue
        url, commit = REPOSITORIES[name]
        print(
            f"{name} is missing from {peers}: obtain it with `git clone {url} "
            f"{peers / name} && git -C {peers / name} checkout {commit}`.",
            file=sys.stderr,
        )
        sys.exit(2)


def describe(peers: Path, name: str) -> str:
    """The checkout's commit (and a warning when it is not the one we measured)."""
    found = ""
    if (peers / name / ".git").exists():  # its own checkout, not a repository around it
        found = subprocess.run(
            ["git", "-C", str(peers / name), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
    measured = REPOSITORIES[name][1]
    if not found:
        return f"{name} (not a git checkout; measured: {measured[:9]})"
    if found != measured:
        return f"{name} {found[:9]} (NOT the commit peers.py was written for, {measured[:9]})"
    return f"{name} {found[:9]}"


def peer_python() -> str:
    """The interpreter the peers run on: BENCH_PEER_PYTHON (default 3.13), as a path."""
    wanted = os.environ.get("BENCH_PEER_PYTHON", "3.13")
    if "/" in wanted:
        return wanted
    found = subprocess.run(
        ["uv", "python", "find", "--no-project", wanted],
        capture_output=True, text=True, check=False, cwd=BENCH,
    ).stdout.strip()  # fmt: skip
    if found:
        return found
    for candidate in sorted(Path.home().glob(f".pyenv/versions/{wanted}*/bin/python{wanted}")):
        return str(candidate)
    raise Failed(f"no Python {wanted} for the peers: install it or set BENCH_PEER_PYTHON")


def version_of(python: str) -> str:
    return run([python, "-c", "import sys; print(sys.version.split()[0])"], BENCH).stdout.strip()


def copy_tree(source: Path, destination: Path) -> None:
    ignore = shutil.ignore_patterns(".git", "node_modules", ".venv", "__pycache__")
    shutil.copytree(source, destination, ignore=ignore, symlinks=True)


def patch(path: Path, old: str, new: str) -> None:
    """Replace `old` (exactly once) in a peer's file; fail when the checkout lacks it."""
    text = path.read_text()
    if text.count(old) != 1:
        raise Failed(f"{path}: expected `{old}` once (is the checkout at the measured commit?)")
    path.write_text(text.replace(old, new))


def peer_env(**extra: str) -> dict[str, str]:
    """A user's shell environment (no app variables), without our projects' uv/venv hints."""
    env = clean_env()
    for key in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "UV_PYTHON"):
        env.pop(key, None)
    return env | extra


def body_of(status: int, body: bytes, what: str, expected: int = 200) -> object:
    if status != expected:
        raise Failed(f"{what} answered {status}: {body[:300]!r}")
    return json.loads(body)


# --- full-stack-fastapi-template ---------------------------------------------------------------


def prepare_fsf(peers: Path, tmp: Path, python: str) -> Path:
    """The FSF backend copied, changed (see the docstring) and installed; its root."""
    root = tmp / "peer-fsf"
    root.mkdir()
    source = peers / FSF
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy2(source / name, root / name)
    copy_tree(source / "backend", root / "backend")
    backend = root / "backend"
    patch(backend / "pyproject.toml", 'requires-python = ">=3.14,<4.0"',
          'requires-python = ">=3.13,<4.0"')  # fmt: skip
    patch(backend / "app/api/deps.py", "except InvalidTokenError, ValidationError:",
          "except (InvalidTokenError, ValidationError):")  # fmt: skip
    patch(backend / "app/models.py", "items: list[Item] = Relationship(",
          'items: list["Item"] = Relationship(')  # fmt: skip
    (backend / "app/frontend").mkdir(exist_ok=True)
    (backend / "app/frontend/index.html").write_text("<!doctype html><title>not built</title>\n")
    run(["uv", "sync", "--quiet", "--package", "app", "--no-dev", "--python", python], root,
        env=peer_env(), timeout=900)  # fmt: skip
    return root


@contextmanager
def run_fsf(root: Path, python: str, tmp: Path) -> Iterator[list[Peer]]:
    backend = root / "backend"
    with database("postgres", "peer_fsf") as db_env:
        env = peer_env(
            PATH=f"{root / '.venv' / 'bin'}:{os.environ['PATH']}",
            DATABASE_URL=db_env["DATABASE_URL"],
            SECRET_KEY=os.urandom(32).hex(),
            PROJECT_NAME="peer-fsf",
            FIRST_SUPERUSER="admin@example.com",
            FIRST_SUPERUSER_PASSWORD="peer-admin-" + os.urandom(8).hex(),
        )
        run(["bash", "scripts/prestart.sh"], backend, env=env, timeout=300)
        health = "/api/v1/utils/health-check/"
        command = "exec fastapi run --workers 1 --host 127.0.0.1 --port $PORT"
        with server(command, backend, env, tmp / "peer-fsf.log", probe=health) as url:
            user = {"email": EMAIL, "password": PASSWORD, "full_name": "bench"}
            status, body = http(f"{url}/api/v1/users/signup", "POST", user)
            body_of(status, body, "FSF POST /api/v1/users/signup")
            form = {"username": EMAIL, "password": PASSWORD}
            status, body = http(f"{url}/api/v1/login/access-token", "POST", form=form)
            token = body_of(status, body, "FSF POST /api/v1/login/access-token")
            headers = {"Authorization": f"Bearer {token['access_token']}"}  # type: ignore[index]
            for number in range(ROWS):
                item = {"title": f"item {number}", "description": "benchmark"}
                status, body = http(f"{url}/api/v1/items/", "POST", item, headers)
                body_of(status, body, "FSF POST /api/v1/items/")
            peer = Peer(f"{FSF} (FSF)", url, "/api/v1/items/", headers, ROWS, TARGETS[FSF],
                        "fastapi run --workers 1: 1 x uvicorn", version_of(python),
                        health=health)  # fmt: skip
            listed = body_of(*http(url + peer.path, headers=headers), "FSF GET /api/v1/items/")
            if len(listed["data"]) != ROWS or listed["count"] != ROWS:  # type: ignore[index]
                raise Failed(f"FSF GET /api/v1/items/ did not list {ROWS} items: {listed}")
            yield [peer]


# --- cookiecutter-django ------------------------------------------------------------------------

SHIPPED_QUERYSET = "        return self.queryset.filter(id=self.request.user.id)\n"
TEN_USERS_QUERYSET = (
    '        if self.action == "list":  # benchmark (issue 29): list 10 users, not the caller\n'
    '            return self.queryset.order_by("pk")[:10]\n' + SHIPPED_QUERYSET
)
SEED_USERS = f"""
from peer_ccd.users.models import User
for number in range({ROWS}):
    User.objects.create_user(username=f"bench{{number}}", email=f"bench{{number}}@example.com",
                             password={PASSWORD!r})
"""


def prepare_ccd(peers: Path, tmp: Path, python: str) -> tuple[Path, Path]:
    """CCD rendered, installed, and copied: the project listing 10 users, and as shipped."""
    template = tmp / "peer-ccd-template"
    copy_tree(peers / CCD, template)
    slug = template / "{{cookiecutter.project_slug}}"
    minor = ".".join(version_of(python).split(".")[:2])
    patch(
        slug / "pyproject.toml", 'requires-python = "==3.14.*"', f'requires-python = "=={minor}.*"'
    )
    (slug / ".python-version").unlink(missing_ok=True)
    out = tmp / "peer-ccd"
    out.mkdir()
    choices = ["project_name=peer_ccd", "rest_api=DRF", "cloud_provider=None", "use_whitenoise=y",
               "mail_service=Other SMTP", "use_docker=n"]  # fmt: skip
    run(["uvx", "--from", f"cookiecutter=={COOKIECUTTER}", "cookiecutter", "--no-input",
         "--output-dir", str(out), str(template), *choices], out,
        env=peer_env(UV_PYTHON=python), timeout=900)  # fmt: skip
    ten, shipped = out / "peer_ccd", out / "peer_ccd-shipped"
    copy_tree(ten, shipped)
    patch(ten / "peer_ccd/users/api/views.py", SHIPPED_QUERYSET, TEN_USERS_QUERYSET)
    run(["uv", "sync", "--quiet", "--no-dev", "--python", python], ten, env=peer_env(),
        timeout=900)  # fmt: skip
    return ten, shipped


@contextmanager
def run_ccd(
    projects: tuple[Path, Path], python: str, tmp: Path, *, shipped: bool
) -> Iterator[list[Peer]]:
    ten, as_shipped = projects
    venv_bin = ten / ".venv" / "bin"
    with database("postgres", "peer_ccd") as db_env, ExitStack() as running:
        env = peer_env(
            PATH=f"{venv_bin}:{os.environ['PATH']}",
            DJANGO_SETTINGS_MODULE="config.settings.production",
            DATABASE_URL=db_env["DATABASE_URL"],
            DJANGO_SECRET_KEY=os.urandom(32).hex(),
            DJANGO_ADMIN_URL="admin/",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            REDIS_URL=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0"),
            DJANGO_SECURE_SSL_REDIRECT="False",
            WEB_CONCURRENCY="1",
        )
        python_bin = str(venv_bin / "python")
        run([python_bin, "manage.py", "migrate", "--noinput"], ten, env=env, timeout=300)
        run([python_bin, "manage.py", "collectstatic", "--noinput"], ten, env=env, timeout=300)
        run([python_bin, "manage.py", "shell", "-c", SEED_USERS], ten, env=env, timeout=300)
        variants: list[tuple[Path, str, int, float | None]] = [
            (ten, f"{CCD} (CCD), listing {ROWS} users", ROWS, TARGETS[CCD])
        ]
        if shipped:
            run([python_bin, "manage.py", "collectstatic", "--noinput"], as_shipped, env=env)
            variants.append((as_shipped, f"{CCD} (CCD) as shipped, lists the caller", 1, None))
        found = []
        for number, (project, name, rows, target) in enumerate(variants):
            # compose/production/django/start, on a free loopback port, without gunicorn's
            # control socket (one path in $HOME for every gunicorn on the machine; our
            # projects' gunicorn.conf.py turn it off too).
            chdir = shlex.quote(str(project))
            command = (
                f"exec gunicorn config.wsgi --bind 127.0.0.1:$PORT --chdir={chdir}"
                " --no-control-socket"
            )
            log = tmp / f"peer-ccd-{number}.log"
            url = running.enter_context(server(command, project, env, log, probe="/"))
            form = {"username": "bench0", "password": PASSWORD}
            token = body_of(*http(f"{url}/api/auth-token/", "POST", form=form),
                            "CCD POST /api/auth-token/")  # fmt: skip
            headers = {"Authorization": f"Token {token['token']}"}  # type: ignore[index]
            peer = Peer(name, url, "/api/users/", headers, rows, target,
                        "gunicorn: 1 x sync", version_of(python))  # fmt: skip
            listed = body_of(*http(url + peer.path, headers=headers), "CCD GET /api/users/")
            if not isinstance(listed, list) or len(listed) != rows:
                raise Failed(f"{name}: GET /api/users/ did not list {rows} users: {listed}")
            found.append(peer)
        yield found


@contextmanager
def running(stack: str, peers: Path, tmp: Path, *, shipped: bool = True) -> Iterator[list[Peer]]:
    """Prepare `stack`'s peer from the checkout in `peers` and start it on a fresh PostgreSQL
    database, one worker; yield its servers (CCD: listing 10 users, then as shipped unless
    `shipped` is false), each logged in, 10 rows checked; stop them and drop the database."""
    python = peer_python()
    if PEER_OF[stack] == FSF:
        with run_fsf(prepare_fsf(peers, tmp, python), python, tmp) as found:
            yield found
    else:
        with run_ccd(prepare_ccd(peers, tmp, python), python, tmp, shipped=shipped) as found:
            yield found


if __name__ == "__main__":  # a smoke test: `python benchmarks/peers.py DIR STACK`
    import tempfile

    directory, wanted = Path(sys.argv[1]), sys.argv[2]
    check(directory, [wanted])
    with (
        tempfile.TemporaryDirectory(prefix="scaffold-bench-peers-") as scratch,
        running(wanted, directory, Path(scratch)) as servers,
    ):
        for each in servers:
            print(each.name, each.url + each.path, each.rows, f"Python {each.python}",
                  http(each.url + each.path, headers=each.headers)[0], sep=" · ")  # fmt: skip
