"""After rendering: a git repository with a first commit, `uv sync`, and the next steps.

Each step reports what it did as a `StepResult`; a failure says how to finish by hand.
These live here, not in Copier `_tasks`, so plain `copier copy/update` never needs --trust
and an update does not re-run them.
"""

from __future__ import annotations

import os
import shlex
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from scaffold import proc
from scaffold.stacks import stack

GIT_COMMANDS = "git init -b main && git add -A && git commit -m 'Initial commit from scaffold'"
HOOKS_COMMAND = "uvx pre-commit install --install-hooks"
FALLBACK_IDENTITY = ("scaffold", "scaffold@localhost.invalid")


@dataclass(frozen=True)
class StepResult:
    name: str
    status: str  # "done", "skipped" or "failed"
    detail: str


def _git_identity(cwd: Path) -> tuple[str, str] | None:
    name = proc.run(["git", "config", "user.name"], cwd).stdout.strip()
    email = proc.run(["git", "config", "user.email"], cwd).stdout.strip()
    return (name, email) if name and email else None


def git_user_defaults() -> dict[str, str]:
    """The user's git identity as default author answers (Copier's `user_defaults`)."""
    if shutil.which("git") is None:
        return {}
    found = {
        answer: proc.run(["git", "config", "--global", key], Path.home()).stdout.strip()
        for answer, key in (("author_name", "user.name"), ("author_email", "user.email"))
    }
    return {answer: value for answer, value in found.items() if value}


def git_init(project: Path, message: str) -> StepResult:
    """`git init` and one commit holding every generated file, so `copier update` can diff."""
    if shutil.which("git") is None:
        return StepResult("git", "skipped", "git is not installed; run `git init` later.")
    quoted = shlex.quote(str(project))
    init = proc.run(["git", "init", "-q", "-b", "main"], project)
    if init.returncode != 0:
        return StepResult("git", "failed", f"git init failed: {init.stderr.strip()}")
    proc.run(["git", "add", "-A"], project)
    identity = _git_identity(project)
    override: list[str] = []
    note = ""
    if identity is None:
        # No identity configured: commit anyway (updates need a commit) and say so.
        override = [
            "-c",
            f"user.name={FALLBACK_IDENTITY[0]}",
            "-c",
            f"user.email={FALLBACK_IDENTITY[1]}",
        ]
        note = (
            f" as '{FALLBACK_IDENTITY[0]} <{FALLBACK_IDENTITY[1]}>' (no git identity is set; "
            "set user.name and user.email, then `git commit --amend --reset-author --no-edit`)"
        )
    commit = proc.run(["git", *override, "commit", "-q", "--no-verify", "-m", message], project)
    if commit.returncode != 0:
        return StepResult(
            "git",
            "failed",
            f"git commit failed ({proc.last_line(commit.stderr)}); "
            f"finish with: cd {quoted} && git add -A && git commit -m {shlex.quote(message)}",
        )
    return StepResult("git", "done", f"Created a git repository with a first commit{note}.")


def uv_sync(project: Path) -> StepResult:
    """Install the project's dependencies into its own .venv."""
    uv = shutil.which("uv")
    if uv is None:
        return StepResult(
            "install",
            "skipped",
            "uv is not installed, so dependencies were not installed; install uv "
            "(https://docs.astral.sh/uv/) and run `uv sync` in the project.",
        )
    # A caller's activated virtualenv is not the project's: let uv use the project's .venv.
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    started = time.monotonic()
    result = proc.run([uv, "sync"], project, env)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        return StepResult(
            "install",
            "failed",
            f"uv sync failed ({proc.last_line(result.stderr)}); "
            f"finish with: cd {shlex.quote(str(project))} && uv sync",
        )
    return StepResult("install", "done", f"Installed dependencies with uv sync in {elapsed:.1f}s.")


def install_hooks(project: Path) -> StepResult:
    """The project's pre-commit hooks (.pre-commit-config.yaml) in its git repository, their
    environments built now (from PyPI: the hooks are local, nothing is cloned from GitHub)
    so that the first commit is not the one that waits, or fails, for them."""
    uvx = shutil.which("uvx")
    finish = f"finish with: cd {shlex.quote(str(project))} && {HOOKS_COMMAND}"
    if uvx is None:
        return StepResult("hooks", "skipped", f"uvx is not installed; {finish}")
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    result = proc.run([uvx, "pre-commit", "install", "--install-hooks"], project, env)
    if result.returncode != 0:
        output = result.stderr.strip() or result.stdout.strip()
        return StepResult(
            "hooks", "failed", f"pre-commit install failed ({proc.last_line(output)}); {finish}"
        )
    return StepResult(
        "hooks",
        "done",
        "Installed the pre-commit hooks: a commit with conflict markers or lint errors is refused.",
    )


def next_steps(
    project: Path,
    framework: str,
    package: str,
    installed: bool,
    hooks: bool = True,
    committed: bool = False,
) -> list[str]:
    steps = [f"cd {shlex.quote(os.path.relpath(project))}"]
    if not installed and committed:
        # uv sync writes uv.lock: committed, the tree stays clean and `scaffold update` works.
        steps.append("uv sync && git add uv.lock && git commit -m 'Lock dependencies'")
    elif not installed:
        steps.append("uv sync")
    if not hooks:
        steps.append(f"{HOOKS_COMMAND}   # the pre-commit hooks, once the project is in git")
    steps += [step.format(package=package) for step in stack(framework).next_steps]
    return steps
