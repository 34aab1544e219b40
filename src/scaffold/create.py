"""The steps of `scaffold new`, in order: names, stack, target, render, git, install.

`cli.py` turns flags into `NewRequest`; this module runs the steps and returns a `NewResult`
that the CLI prints as text or JSON. Problems with the input raise a `UsageError` (exit 2)
before anything is written.
"""

from __future__ import annotations

import os
import shlex
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold import names, post, render, target
from scaffold import source as sources
from scaffold.data import collect
from scaffold.errors import Interrupted, UsageError, interrupted_means
from scaffold.recommend import Answers, Recommendation, recommend
from scaffold.stacks import stack

# Questions a new project is not asked: they matter only to projects made before the question
# existed (copier.yml explains each), so a new project takes the value a new project gets, and
# scaffold says once how to change it. Plain `copier update` still asks them of older projects.
NEW_PROJECT_ANSWERS: dict[str, dict[str, tuple[Any, str]]] = {
    "django": {
        "trust_proxy_headers": (
            False,
            "trust_proxy_headers=false: the app ignores a proxy's X-Forwarded-Proto and "
            "X-Forwarded-For; if it will only be reached through an HTTPS proxy (Heroku, Dokku, "
            "nginx), pass -d trust_proxy_headers=true (later: "
            "scaffold update -d trust_proxy_headers=true).",
        )
    }
}

# Answers the reproduce line does not repeat: NAME, -f and the recommender flags carry them.
_IMPLIED = {"framework", "project_name", "package_name", "stack_answers", "stack_reasons"}


@dataclass
class NewRequest:
    name: str
    output_dir: Path
    framework: str | None
    yes: bool
    data: list[str]
    data_file: Path | None
    answers: dict[str, Any]
    template: str | None
    vcs_ref: str | None
    git: bool
    install: bool
    dry_run: bool
    interactive: bool
    trust: bool = False


@dataclass
class NewResult:
    path: Path
    names: names.ProjectNames
    framework: str
    recommendation: Recommendation | None
    answers: dict[str, Any]
    template: str
    steps: list[post.StepResult] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reproduce: str | None = None

    @property
    def failed(self) -> bool:
        return any(step.status == "failed" for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "names": {"distribution": self.names.distribution, "package": self.names.package},
            "framework": self.framework,
            "answers": self.answers,
            "reasons": [reason.text for reason in self.recommendation.reasons]
            if self.recommendation
            else [],
            "runner_up": self.recommendation.runner_up if self.recommendation else None,
            "template": self.template,
            "steps": [step.__dict__ for step in self.steps],
            "files": self.files,
            "commands": self.commands,
            "next_steps": self.next_steps,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class Choice:
    """The stack, and the recommendation it came from (None when -f was given alone)."""

    framework: str
    recommendation: Recommendation | None
    overridden: bool


def choose_stack(
    request: NewRequest,
    data: dict[str, Any],
    ask_answers: Callable[[Answers], Answers],
    confirm: Callable[[Recommendation], str],
) -> Choice:
    """-f wins; otherwise the recommender, asked on a terminal, taken as is with --yes."""
    framework = request.framework or data.pop("framework", None)
    if request.framework and data.get("framework") not in (None, request.framework):
        raise UsageError("-f/--framework and -d framework=... disagree; give one of them.")
    data.pop("framework", None)
    answers = Answers.from_dict(request.answers)
    if framework is not None:
        stack(framework)  # refuses an unknown stack
        rec = recommend(answers) if request.answers else None
        return Choice(framework, rec, overridden=rec is not None and rec.framework != framework)
    if not request.interactive and not request.yes:
        raise UsageError(
            "No terminal to ask what you are building; pass -f/--framework to choose a stack, "
            "or --yes to take the recommendation (inform it with --kind, --admin, ...)."
        )
    if request.interactive and not request.yes:
        answers = ask_answers(answers)
    rec = recommend(answers)
    chosen = rec.framework if request.yes else confirm(rec)
    return Choice(chosen, rec, overridden=chosen != rec.framework)


def _reasons_record(choice: Choice) -> list[str]:
    rec = choice.recommendation
    if rec is None:
        return []
    if choice.overridden:
        return [f"Chosen by hand over the recommended {rec.framework}."]
    return [reason.text for reason in rec.reasons]


def reproduce_line(request: NewRequest, result: NewResult) -> str:
    parts = ["scaffold", "new", request.name, "-f", result.framework]
    if request.output_dir != Path("."):
        parts += ["-o", str(request.output_dir)]
    asked = result.recommendation.answers.to_dict() if result.recommendation else request.answers
    for key, value in asked.items():
        flag = "--" + key.replace("_", "-")
        parts += (
            [flag if value is True else f"--no-{flag[2:]}"]
            if isinstance(value, bool)
            else [flag, str(value)]
        )
    for key, value in sorted(result.answers.items()):
        if key.startswith("_") or key in _IMPLIED:
            continue
        rendered = str(value).lower() if isinstance(value, bool) else str(value)
        parts += ["-d", f"{key}={rendered}"]
    for flag, value in (("--template", request.template), ("--vcs-ref", request.vcs_ref)):
        if value:
            parts += [flag, value]
    parts += [] if request.git else ["--no-git"]
    parts += [] if request.install else ["--no-install"]
    parts += ["--trust"] if request.trust else []
    return shlex.join([*parts, "--yes"])


def _untrusted_note(source: sources.TemplateSource, destination: Path, git: bool) -> str:
    lock = " && git add uv.lock && git commit -m 'Lock dependencies'" if git else ""
    return (
        f"Not installed: the template came from {source.location}, not scaffold's own "
        "repository, and `uv sync` would build the project and so run the template's code. "
        f"Review the project, then run: cd {shlex.quote(str(destination))} && uv sync{lock} "
        "(or pass --trust to install right away)."
    )


@interrupted_means("Interrupted; nothing was left behind.")
def new(
    request: NewRequest,
    *,
    ask_answers: Callable[[Answers], Answers],
    confirm: Callable[[Recommendation], str],
    say: Callable[[str], None],
    installing: Callable[[Callable[[], post.StepResult]], post.StepResult],
    quiet: bool,
) -> NewResult:
    names.derive(request.name)
    data = collect(request.data, request.data_file)
    destination = Path(os.path.abspath(request.output_dir / request.name))
    target.check(destination)
    source = sources.resolve(request.template)
    if request.vcs_ref is not None:
        sources.refuse_option_like(request.vcs_ref, "--vcs-ref")
    choice = choose_stack(request, data, ask_answers, confirm)
    project_names = names.derive(request.name, choice.framework)

    data.update(
        framework=choice.framework,
        project_name=project_names.distribution,
        package_name=project_names.package,
        stack_answers=choice.recommendation.answers.to_dict() if choice.recommendation else {},
        stack_reasons=_reasons_record(choice),
    )
    notes = sources.ref_warnings(source, request.vcs_ref)
    for key, (value, note) in NEW_PROJECT_ANSWERS.get(choice.framework, {}).items():
        if key not in data:
            data[key] = value
            notes.append(note)
    if "admin" not in data:
        # The template's `admin` screens follow the recommender's admin answer, and are off
        # without one: not asked again (Django's admin is always there, and Copier leaves an
        # answer its question does not ask unrecorded).
        rec = choice.recommendation
        data["admin"] = rec is not None and rec.answers.get("admin") is True
    for note in notes:
        say(f"note: {note}")
    result = NewResult(
        path=destination,
        names=project_names,
        framework=choice.framework,
        recommendation=choice.recommendation,
        answers={},
        template=source.location,
        notes=notes,
    )
    vcs_ref = request.vcs_ref
    if vcs_ref is None and source.is_local and not sources.release_tags(source.location):
        # ref_warnings said it once; left to Copier, it would look for tags and say it again.
        vcs_ref = "HEAD"
    copy_args: dict[str, Any] = {
        "vcs_ref": vcs_ref,
        "defaults": request.yes or not request.interactive,
        "user_defaults": post.git_user_defaults(),
        "quiet": quiet,
    }
    # uv sync before the first commit, so the commit holds uv.lock and the tree is clean.
    steps: list[tuple[str, Callable[[], post.StepResult]]] = []
    installs = request.install and (source.trusted or request.trust)
    if installs:
        steps.append(("uv sync", lambda: installing(lambda: post.uv_sync(destination))))
    if request.git:
        message = "Initial commit from scaffold ({commit})"
        steps.append(
            (
                post.GIT_COMMANDS,
                lambda: post.git_init(
                    destination, message.format(commit=result.answers.get("_commit", "unknown"))
                ),
            )
        )
    if installs and request.git:
        # The hooks run the project's own tools, so only where it is installed and in git.
        def hooks() -> post.StepResult:
            if all(step.status == "done" for step in result.steps):
                return post.install_hooks(destination)
            return post.StepResult(
                "hooks", "skipped", "The pre-commit hooks wait for the steps above to succeed."
            )

        steps.append((post.HOOKS_COMMAND, hooks))
    result.commands = [command for command, _ in steps]
    untrusted = _untrusted_note(source, destination, request.git)
    if request.install and not installs and request.dry_run:
        say(f"note: {untrusted}")
        result.notes.append(untrusted)
    if request.dry_run:
        with tempfile.TemporaryDirectory(prefix="scaffold-dry-run-") as scratch:
            rendered = Path(scratch) / request.name
            result.answers = render.copy(source, rendered, data, **copy_args)
            result.files = sorted(
                str(path.relative_to(rendered)) for path in rendered.rglob("*") if path.is_file()
            )
    else:
        with target.undo_on_failure(destination):
            result.answers = render.copy(source, destination, data, **copy_args)
        for done, (_, step) in enumerate(steps):
            try:
                result.steps.append(step())
            except KeyboardInterrupt as error:
                # The project is complete; only the steps after rendering were cut short: keep
                # it (Ctrl-C exits 130 like anywhere else) and say how to finish by hand.
                raise Interrupted(
                    f"Interrupted; the project is in {destination}: finish with "
                    f"cd {shlex.quote(str(destination))} && "
                    f"{' && '.join(result.commands[done:])}"
                ) from error
        if request.install and not installs:
            result.steps.append(post.StepResult("install", "skipped", untrusted))
    installed = any(s.name == "install" and s.status == "done" for s in result.steps)
    hooked = any(s.name == "hooks" and s.status == "done" for s in result.steps)
    committed = any(s.name == "git" and s.status == "done" for s in result.steps)
    result.next_steps = post.next_steps(
        destination, choice.framework, project_names.package, installed, hooked, committed
    )
    return result
