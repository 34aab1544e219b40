"""The `scaffold` command line: commands and flags only; the work lives in other modules."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Mapping
from enum import Enum, StrEnum
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml
from typer.core import TyperCommand, TyperGroup

from scaffold import __version__
from scaffold.errors import Interrupted, ScaffoldError

if TYPE_CHECKING:
    from scaffold.update import UpdateResult


class _Commands(TyperGroup):
    """Where every scaffold error becomes "error: <message>" and its exit status.

    The modules raise `ScaffoldError`s and never print or exit; anything else escapes with
    its traceback, because it is a bug (as Copier's own CLI handles its errors in one wrapper).
    """

    def invoke(self, ctx: Any) -> Any:  # Typer's click Context (Typer vendors click)
        try:
            try:
                return super().invoke(ctx)
            except KeyboardInterrupt as error:
                # Commands that write something catch this sooner and say what they left.
                raise Interrupted("Interrupted; nothing was written.") from error
        except ScaffoldError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(error.exit_code) from error


app = typer.Typer(
    cls=_Commands,
    name="scaffold",
    help="Start a new Python backend on the stack that fits what you are building.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Conflict(StrEnum):
    inline = "inline"
    rej = "rej"


def _emit_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2, default=str))


ProjectArgument = Annotated[
    Path, typer.Argument(help="The generated project (default: here).", show_default=False)
]
VersionOption = Annotated[
    str | None,
    typer.Option(
        "--vcs-ref",
        help="Template version to update to (default: the newest release tag).",
        show_default=False,
    ),
]
RehearseOption = Annotated[
    bool, typer.Option("--dry-run", help="Show what would change; touch nothing.")
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON object on stdout and nothing else.")
]


def _choices(name: str, values: list[str]) -> type[StrEnum]:
    """A choice question's values as the enum Typer turns into a checked choice."""
    functional: Any = StrEnum  # the functional API: mypy knows only the class syntax
    enum: type[StrEnum] = functional(name.title(), [(value, value) for value in values])
    return enum


def _question_options() -> list[inspect.Parameter]:
    """One option per recommender question, read from rules.yaml (the one place questions
    are defined). Plain YAML here, so `scaffold --help` does not import pydantic;
    every command that uses the answers validates the whole file (rulebook.py) first."""
    text = files("scaffold").joinpath("rules.yaml").read_text(encoding="utf-8")
    options = []
    for question in yaml.safe_load(text)["questions"]:
        name, explained = question["id"], f"{question['prompt']} {question['help']}"
        option = "--" + name.replace("_", "-")
        answer: Any = bool
        if question["type"] == "bool":
            option = f"{option}/--no-{option[2:]}"
        else:
            values = [choice["value"] for choice in question["choices"]]
            answer = _choices(name, values)
            explained += (
                " "
                + "; ".join(f"{c['value']}: {c['explanation']}" for c in question["choices"])
                + "."
            )
        flag = typer.Option(option, help=explained, show_default=False)
        options.append(
            inspect.Parameter(
                name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=None,
                annotation=Annotated[answer | None, flag],
            )
        )
    return options


QUESTION_OPTIONS = _question_options()
# Where a command takes the answers to the questions: @recommender_flags puts the options there.
QUESTIONS_GO_HERE: Mapping[str, Any] = MappingProxyType({})


def recommender_flags(command: Callable[..., None]) -> Callable[..., None]:
    """Put the question options where `command` has its `answers` parameter; the command
    gets the answers given, as a dict without the unanswered ("no preference") ones."""
    signature = inspect.signature(command, eval_str=True)
    names = [option.name for option in QUESTION_OPTIONS]

    @functools.wraps(command)
    def with_answers(**values: Any) -> None:
        answers = {name: values.pop(name) for name in names}
        given = {
            name: value.value if isinstance(value, Enum) else value
            for name, value in answers.items()
            if value is not None
        }
        command(**values, answers=given)

    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        parameters += QUESTION_OPTIONS if parameter.name == "answers" else [parameter]
    with_answers.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return with_answers


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scaffold {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Start a new Python backend on the stack that fits what you are building."""


@app.command()
@recommender_flags
def new(
    name: Annotated[str, typer.Argument(help="Project name; also the directory it goes in.")],
    output_dir: Annotated[
        Path, typer.Option("-o", "--output-dir", help="Parent directory of the project.")
    ] = Path("."),
    framework: Annotated[
        str | None,
        typer.Option(
            "-f",
            "--framework",
            help="django, fastapi or flask; skips the recommender.",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("-y", "--yes", help="Take the recommendation and every default.")
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option("-d", "--data", metavar="KEY=VALUE", help="A template answer (repeatable)."),
    ] = None,
    data_file: Annotated[
        Path | None, typer.Option("--data-file", help="A YAML file of template answers.")
    ] = None,
    answers: Mapping[str, Any] = QUESTIONS_GO_HERE,
    template: Annotated[
        str | None,
        typer.Option(
            help="Template path or git URL (default: $SCAFFOLD_TEMPLATE, this "
            "checkout, or the canonical repository).",
            show_default=False,
        ),
    ] = None,
    vcs_ref: Annotated[
        str | None,
        typer.Option(
            help="Template git ref to render (default: the newest release tag).", show_default=False
        ),
    ] = None,
    no_git: Annotated[
        bool,
        typer.Option("--no-git", help="Skip git init, the first commit and the pre-commit hooks."),
    ] = False,
    no_install: Annotated[
        bool, typer.Option("--no-install", help="Skip uv sync and the pre-commit hooks.")
    ] = False,
    trust: Annotated[
        bool,
        typer.Option(
            "--trust",
            help="Run uv sync even when --template is not scaffold's own repository "
            "(installing builds the project, which runs the template's code).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; write nothing.")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Generate a new project NAME (asks what you are building unless -f is given)."""
    from scaffold import ask, create

    say: Callable[[str], None] = (
        (lambda line: typer.echo(line, err=True)) if json_out else typer.echo
    )
    interactive = ask.is_terminal() and not json_out
    request = create.NewRequest(
        name=name,
        output_dir=output_dir,
        framework=framework,
        yes=yes,
        data=data or [],
        data_file=data_file,
        answers=dict(answers),
        template=template,
        vcs_ref=vcs_ref,
        git=not no_git,
        install=not no_install,
        dry_run=dry_run,
        interactive=interactive,
        trust=trust,
    )
    result = create.new(
        request,
        ask_answers=ask.recommender_answers,
        confirm=ask.confirm_stack,
        say=say,
        installing=lambda step: ask.with_progress(
            "Installing dependencies with uv sync", step, say
        ),
        quiet=json_out or not interactive,
    )
    asked = interactive and not yes
    if asked:
        result.reproduce = create.reproduce_line(request, result)
    if json_out:
        payload = result.to_json()
        payload["dry_run"] = dry_run
        payload["reproduce"] = result.reproduce
        _emit_json(payload)
    else:
        if yes and result.recommendation is not None and not dry_run:
            ask.show_recommendation(result.recommendation, say)
        ask.report(result, dry_run=dry_run, say=say)
    if result.failed:
        raise typer.Exit(1)


@app.command()
@recommender_flags
def recommend(answers: Mapping[str, Any] = QUESTIONS_GO_HERE, json_out: JsonOption = False) -> None:
    """Recommend a stack for what you are building, with the reasons and the runner-up."""
    from scaffold import ask
    from scaffold.recommend import Answers
    from scaffold.recommend import recommend as pick

    given = Answers.from_dict(answers)
    if not given and not json_out and ask.is_terminal():
        given = ask.recommender_answers(given)
    result = pick(given)
    if json_out:
        _emit_json(result.to_json())
    else:
        ask.show_recommendation(result, typer.echo)


@app.command()
def update(
    path: ProjectArgument = Path("."),
    vcs_ref: VersionOption = None,
    conflict: Annotated[
        Conflict, typer.Option(help="How to leave conflicts: inline markers or .rej files.")
    ] = Conflict.inline,
    data: Annotated[
        list[str] | None,
        typer.Option("-d", "--data", metavar="KEY=VALUE", help="An answer to change or add."),
    ] = None,
    dry_run: RehearseOption = False,
) -> None:
    """Bring a generated project up to a newer template version (Copier's update)."""
    from scaffold import ask
    from scaffold import update as updating
    from scaffold.data import parse_pairs

    result = updating.run(
        path,
        parse_pairs(data or []),
        vcs_ref=vcs_ref,
        conflict="rej" if conflict is Conflict.rej else "inline",
        dry_run=dry_run,
        interactive=ask.is_terminal(),
    )
    _report_update(result, dry_run)


class _AddCommand(TyperCommand):
    """`scaffold add --help` lists the features, read from the template when help is asked."""

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        from scaffold import render
        from scaffold import source as sources

        try:
            source = sources.resolve(None)
        except ScaffoldError:
            source = None
        if source is not None and source.is_local:
            offered = render.template_features(Path(source.location))
            width = max(map(len, offered), default=0)
            lines = [f"{name:<{width}}  {', '.join(stacks)}" for name, stacks in offered.items()]
            text = f"Features of the template at {source.location} (feature, stacks):"
        else:
            lines = []
            text = "Features: the yes/no questions of the template's copier.yml."
        with formatter.section("Features"):
            formatter.write_text(text)
            for line in lines:
                formatter.write_text(line)
        super().format_epilog(ctx, formatter)


@app.command(cls=_AddCommand)
def add(
    feature: Annotated[
        str,
        typer.Argument(
            help="A yes/no question of the template to turn on, e.g. worker; "
            "a wrong one lists those the project is offered.",
            show_default=False,
        ),
    ],
    path: ProjectArgument = Path("."),
    vcs_ref: VersionOption = None,
    dry_run: RehearseOption = False,
) -> None:
    """Turn on a feature of the template: `scaffold update -d FEATURE=true`."""
    from scaffold import ask
    from scaffold import update as updating

    result = updating.add(
        path, feature, vcs_ref=vcs_ref, dry_run=dry_run, interactive=ask.is_terminal()
    )
    if result is None:
        typer.echo(f"{feature} is already on in {path.resolve()}; nothing to do.")
        return
    _report_update(result, dry_run)


def _report_update(result: UpdateResult, dry_run: bool) -> None:
    for note in result.notes:
        typer.echo(f"note: {note}")
    if result.up_to_date:
        typer.echo(
            f"Checked {result.project} from {result.before} to {result.after}: already up to "
            "date, nothing changed."
        )
        return
    verb = "Would update" if dry_run else "Updated"
    typer.echo(f"{verb} {result.project} from {result.before} to {result.after}.")
    for name in result.changed:
        typer.echo(f"  {name}")
    if not result.changed:
        typer.echo("  (no file changes)")
    if result.conflicts:
        typer.echo(f"{'Would leave' if dry_run else 'Left'} conflicts to resolve in:", err=True)
        for name in result.conflicts:
            typer.echo(f"  {name}", err=True)
        if not dry_run:
            typer.echo(
                "Resolve them (search for '<<<<<<< before updating' or read the .rej "
                "files), then commit.",
                err=True,
            )
        raise typer.Exit(1)
    if dry_run:
        typer.echo("Dry run: the project was not changed.")
    else:
        typer.echo("Review with `git diff`, run the tests, then commit.")


# check-update names the newest few releases; --json lists them all.
RELEASES_SHOWN = 5


@app.command("check-update")
def check_update(
    path: ProjectArgument = Path("."),
    json_out: JsonOption = False,
) -> None:
    """Show the template version a project was made from and the newest one available."""
    from scaffold import update as updating

    status = updating.check(path)
    if json_out:
        _emit_json(status)
        return
    typer.echo(f"Template: {status['template']}")
    typer.echo(f"Current:  {status['current']}")
    typer.echo(f"Latest:   {status['latest'] or 'no release tags found'}")
    if len(status["releases"]) > 1:
        newest = status["releases"][:RELEASES_SHOWN]
        more = len(status["releases"]) - len(newest)
        typer.echo(f"Releases: {', '.join(newest)}" + (f" and {more} older" if more else ""))
    if status["update_available"]:
        typer.echo(f"Run `scaffold update {path}` to update.")
    else:
        typer.echo("Up to date.")


@app.command("list")
def list_stacks(json_out: JsonOption = False) -> None:
    """List the stacks scaffold can generate."""
    from scaffold.stacks import stacks

    known = stacks()
    if json_out:
        _emit_json(
            [{"name": s.name, "title": s.title, "summary": s.summary} for s in known.values()]
        )
        return
    width = max(len(name) for name in known)
    for item in known.values():
        typer.echo(f"{item.name:<{width}}  {item.title}: {item.summary}")


def main() -> None:
    app()
