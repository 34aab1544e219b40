"""The only module that renders with Copier: copying and updating a project, and what the
template's questions offer (where the template comes from is source.py's).

Copier is imported inside the functions that need it so `--help`, `list`, `recommend` and
usage errors never pay for its import.
"""

from __future__ import annotations

import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import yaml

from scaffold.errors import ScaffoldError
from scaffold.source import POINT_ELSEWHERE, TemplateSource

ANSWERS_FILE = ".copier-answers.yml"


# How Copier says an answer or --vcs-ref was wrong: it raises a plain ValueError with one of
# these openings. Any other ValueError from Copier is a failure (exit 1), not bad input.
_BAD_ANSWER = ("Invalid choice for ", "Validation error for question ", "Question ")


class RenderError(ScaffoldError):
    """A step that talks to Copier failed; `exit_code` is 2 for bad input, 1 otherwise."""


def _message(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


@contextmanager
def _copier_errors(source: str, vcs_ref: str | None) -> Iterator[None]:
    """Turn Copier's exceptions into one-sentence RenderErrors (2: bad input, 1: a failure)."""
    from copier.errors import CopierError, InteractiveSessionError, UserMessageError
    from plumbum import ProcessExecutionError

    try:
        with warnings.catch_warnings():
            # The dirty-checkout warning is already said in plain words by ref_warnings().
            warnings.simplefilter("ignore")
            yield
    except KeyboardInterrupt:
        raise  # Copier's CopierAnswersInterrupt is also a CopierError: keep it a Ctrl-C
    except InteractiveSessionError as error:
        raise RenderError(
            "No terminal to ask the template questions; pass --yes or -d KEY=VALUE.", 2
        ) from error
    except UserMessageError as error:
        raise RenderError(_message(error), 2) from error
    except ProcessExecutionError as error:
        # Copier shells out to git through plumbum: an unreachable URL ends here. It is an
        # OSError too, so it must come before the generic failure below.
        raise RenderError(
            f"Could not fetch the template from {source} (git: {_last_git_line(error)}); "
            f"{POINT_ELSEWHERE}."
        ) from error
    except (CopierError, OSError, subprocess.SubprocessError) as error:
        raise RenderError(f"Copier failed: {_message(error)}") from error
    except ValueError as error:
        if str(error).startswith("Unknown revision"):
            missing = str(error).removeprefix("Unknown revision:").strip().strip("'\"")
            if missing != vcs_ref:
                # Not the asked version but the one the project records (an update's base):
                # a project rendered from uncommitted template changes records a commit that
                # exists only in Copier's scratch copy.
                raise RenderError(
                    f"The template {source} has no commit {missing}, the version "
                    f"{ANSWERS_FILE} records (was the project made from uncommitted template "
                    "changes?); the update cannot tell your edits from the template's.",
                ) from error
            raise RenderError(
                f"The template has no version {vcs_ref!r}; pass an existing tag, branch or "
                "commit to --vcs-ref.",
                2,
            ) from error
        if str(error).startswith(_BAD_ANSWER):
            raise RenderError(f"The template refused the answers: {_message(error)}", 2) from error
        raise RenderError(f"Copier failed: {_message(error)}") from error


def _last_git_line(error: Any) -> str:
    """git's own last complaint (plumbum's message is only "Unexpected exit code: 128")."""
    lines = str(getattr(error, "stderr", "") or "").strip().splitlines()
    return lines[-1].strip() if lines else _message(error)


def copy(
    source: TemplateSource,
    destination: Path,
    data: dict[str, Any],
    *,
    vcs_ref: str | None,
    defaults: bool,
    user_defaults: dict[str, Any],
    quiet: bool,
) -> dict[str, Any]:
    """Render the template into `destination` and return the recorded answers."""
    import copier

    with _copier_errors(source.location, vcs_ref):
        copier.run_copy(
            source.location,
            destination,
            data=data,
            vcs_ref=vcs_ref,
            defaults=defaults,
            user_defaults=user_defaults,
            quiet=quiet,
            unsafe=False,
        )
    return read_answers(destination)


def update(
    project: Path,
    data: dict[str, Any],
    *,
    vcs_ref: str | None,
    conflict: Literal["inline", "rej"],
    defaults: bool,
    quiet: bool,
) -> None:
    """Copier's own update, through its public API: three-way merge of template changes."""
    import copier

    with _copier_errors(str(read_answers(project).get("_src_path")), vcs_ref):
        copier.run_update(
            project,
            data=data,
            vcs_ref=vcs_ref,
            conflict=conflict,
            defaults=defaults,
            overwrite=True,
            skip_answered=True,
            quiet=quiet,
            unsafe=False,
        )


def features(project: Path, source: str, vcs_ref: str | None, answers: dict[str, Any]) -> list[str]:
    """The template's yes/no questions that a project with `answers` is offered (their `when`
    holds), at the version an update would go to, in the template's order."""
    # Copier's public API (run_copy/run_update) cannot list questions; its Worker can.
    from copier._main import Worker
    from jinja2.sandbox import SandboxedEnvironment

    with (
        _copier_errors(source, vcs_ref),
        Worker(src_path=source, dst_path=project, vcs_ref=vcs_ref, quiet=True) as worker,
    ):
        questions = worker.template.questions_data
    context = {**answers, "_copier_operation": "update"}
    environment = SandboxedEnvironment()
    offered = []
    for name, spec in questions.items():
        if not isinstance(spec, dict) or spec.get("type") != "bool":
            continue
        when = spec.get("when", True)
        if isinstance(when, str):
            when = environment.from_string(when).render(context).strip().lower() not in _FALSY
        if when:
            offered.append(name)
    return offered


def template_features(root: Path) -> dict[str, list[str]]:
    """The yes/no questions of the template checkout at `root` -> the stacks that ask them
    (their `when` holds for that framework), for `scaffold add --help`. Read from the YAML
    itself, without Copier: help must be quick and must not fetch anything."""
    from jinja2.sandbox import SandboxedEnvironment

    questions: dict[str, Any] = {}
    for path in [root / "copier.yml", *sorted(root.glob("templates/*/copier-questions.yml"))]:
        for document in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_IncludeLoader):
            if isinstance(document, dict):
                questions.update(document)
    frameworks = list(questions.get("framework", {}).get("choices", {}).values())
    environment = SandboxedEnvironment()
    offered: dict[str, list[str]] = {}
    for name, spec in questions.items():
        if not isinstance(spec, dict) or spec.get("type") != "bool":
            continue
        when = spec.get("when", True)
        # A new project's context: the stack, and docker on (kubernetes comes with it).
        stacks = [
            framework
            for framework in frameworks
            if not isinstance(when, str)
            or _rendered(environment, when, framework=framework, docker=True) not in _FALSY
        ]
        if stacks and when is not False:
            offered[name] = stacks
    return offered


def _rendered(environment: Any, template: str, **context: Any) -> str:
    return str(environment.from_string(template).render(**context)).strip().lower()


class _IncludeLoader(yaml.SafeLoader):
    """copier.yml's `!include` lines pull in the stacks' question files, read separately."""


_IncludeLoader.add_constructor("!include", lambda loader, node: None)


# What Copier reads as false in a rendered `when` (its cast_to_bool).
_FALSY = {"", "0", "n", "no", "f", "false", "off", "~", "null", "none"}


def read_answers(project: Path) -> dict[str, Any]:
    answers = yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8"))
    return answers if isinstance(answers, dict) else {}
