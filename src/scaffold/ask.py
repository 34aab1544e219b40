"""Talking to a person on a terminal: the recommender questions, the one-key stack choice,
progress while installing, and the final report. Nothing here runs without a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from scaffold.post import StepResult
from scaffold.recommend import Answers, Recommendation, questions
from scaffold.stacks import stacks

if TYPE_CHECKING:
    from scaffold.create import NewResult

SKIP = ""  # Enter: no preference


def is_terminal() -> bool:
    """Prompts need a person: input from a terminal and a terminal to show them on."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def _ask_one(prompt: str, help_text: str, options: list[tuple[str, str]]) -> str | None:
    typer.echo(f"\n{prompt}  ({help_text})", err=True)
    for index, (value, explanation) in enumerate(options, start=1):
        typer.echo(f"  {index}. {value:<12} {explanation}", err=True)
    valid = {str(i): value for i, (value, _) in enumerate(options, start=1)}
    valid.update({value: value for value, _ in options})
    while True:
        try:
            raw = typer.prompt(
                "  choose a number, or Enter for no preference",
                default=SKIP,
                show_default=False,
                err=True,
            ).strip()
        except typer.Abort:
            # Click turns Ctrl-C (and end of input) into Abort, which would print "Aborted!"
            # and exit 1; scaffold's Ctrl-C is 130 with what was left behind, on its own line.
            typer.echo("", err=True)
            raise KeyboardInterrupt from None
        if raw == SKIP:
            return None
        if raw in valid:
            return valid[raw]
        typer.echo(f"  '{raw}' is not one of the choices above.", err=True)


def recommender_answers(given: Answers) -> Answers:
    """Ask every question the flags left open; Enter keeps "no preference"."""
    answers = given.to_dict()
    # Not "What are you building?": that is the first question's own title.
    typer.echo("A few questions to pick the stack (Enter skips one: no preference).", err=True)
    for question in questions():
        if question.id in answers:
            continue
        if question.type == "choice":
            options = [(choice.value, choice.explanation) for choice in question.choices]
            picked = _ask_one(question.prompt, question.help, options)
            if picked is not None:
                answers[question.id] = picked
        else:
            picked = _ask_one(question.prompt, question.help, [("yes", ""), ("no", "")])
            if picked is not None:
                answers[question.id] = picked == "yes"
    return Answers.from_dict(answers)


def show_recommendation(rec: Recommendation, say: Callable[[str], None]) -> None:
    say(f"Recommended: {rec.framework} ({stacks()[rec.framework].title})")
    if rec.reasons:
        say("Because:")
        for reason in rec.reasons:
            say(f"  - {reason.text}  ({reason.source})")
    else:
        say("  - No constraints given: the articles' default for a new API project.")
    if rec.fits:
        say("Your answers:")
        for fit in rec.fits:
            mark = "served" if fit.serves else "NOT served"
            say(f"  - {fit.flag}: {mark}: {fit.text}")
    for conflict in rec.conflicts:
        say(f"Conflict: {conflict.text}")
    say(
        f"Runner-up: {rec.runner_up}, second because {rec.runner_up_why}. "
        f"The better pick when {rec.runner_up_better_when}. "
        f"What it costs: {rec.runner_up_tradeoff}"
    )


def confirm_stack(rec: Recommendation) -> str:
    """Show the pick and take it, or another stack, in one keypress."""
    show_recommendation(rec, lambda line: typer.echo(line, err=True))
    keys = {str(number): name for number, name in enumerate(stacks(), start=1)}
    menu = "  ".join(f"[{key}] {name}" for key, name in keys.items() if name != rec.framework)
    typer.echo(f"\n[Enter] use {rec.framework}  {menu}  [q] quit", err=True)
    while True:
        key = typer.getchar().lower()
        if key in ("\r", "\n", " ", "y"):
            typer.echo(f"Using {rec.framework}.", err=True)
            return rec.framework
        if key in keys:
            chosen = keys[key]
            note = "" if chosen == rec.framework else f" instead of {rec.framework}"
            typer.echo(f"Using {chosen}{note}.", err=True)
            return chosen
        if key in ("q", "\x03", "\x1b"):
            raise KeyboardInterrupt


def with_progress(
    label: str, step: Callable[[], StepResult], say: Callable[[str], None]
) -> StepResult:
    """A spinner while `step` runs on a terminal, a plain start line otherwise; the report
    says how it ended."""
    if not is_terminal():
        say(f"{label}...")
        return step()
    from rich.console import Console

    with Console(file=sys.stderr).status(f"{label}..."):
        return step()


def report(result: NewResult, *, dry_run: bool, say: Callable[[str], None]) -> None:
    if dry_run:
        if result.recommendation is not None:
            show_recommendation(result.recommendation, say)
        say("Answers:")
        for key, value in sorted(result.answers.items()):
            if not key.startswith("_"):
                say(f"  {key}: {value}")
        say(f"Dry run: nothing was written. Would create {result.path} ({result.framework}):")
        for path in result.files:
            say(f"  {path}")
        if result.commands:
            say(f"Then, in {result.path}:")
            for command in result.commands:
                say(f"  {command}")
    else:
        say(
            f"Created {result.path} ({result.framework}) from {result.template} "
            f"at {result.answers.get('_commit', 'unknown')}."
        )
        names = result.names
        if names.distribution != result.path.name or names.package != names.distribution:
            # `scaffold new My-Shop`: the directory keeps what was typed; the code cannot.
            say(
                f"The directory is {result.path.name}; the project (distribution) name is "
                f"{names.distribution} and the import package is {names.package}."
            )
        for step in result.steps:
            say(f"{step.status}: {step.detail}")
    if result.recommendation is not None and not dry_run:
        say(f"Why {result.framework}: see 'Why this stack' in README.md.")
    say("Next steps:")
    for line in result.next_steps:
        say(f"  {line}")
    if result.reproduce:
        say(f"To do this again without questions:\n  {result.reproduce}")
