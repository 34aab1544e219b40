"""The `scaffold` command line: commands and flags only; the work lives in other modules."""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from scaffold import __version__
from scaffold.errors import Interrupted, ScaffoldError


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
                raise Interrupted("Interrupted.") from error
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


class Kind(StrEnum):
    product = "product"
    api = "api"
    service = "service"
    ml = "ml"
    realtime = "realtime"


class Team(StrEnum):
    conventions = "conventions"
    typed = "typed"
    small = "small"


class Conflict(StrEnum):
    inline = "inline"
    rej = "rej"


def _emit_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2, default=str))


KindOption = Annotated[
    Kind | None,
    typer.Option(
        "--kind",
        help="What you are building: product (users and admin workflows), api (API-first "
        "backend for SPA, mobile or partners), service (small focused service, webhook or "
        "prototype), ml (model serving), realtime (streaming or WebSockets).",
        show_default=False,
    ),
]
AdminOption = Annotated[
    bool | None,
    typer.Option("--admin/--no-admin", help="An admin panel is needed early.", show_default=False),
]
ConcurrencyOption = Annotated[
    bool | None,
    typer.Option(
        "--concurrency/--no-concurrency",
        help="Heavy concurrent I/O: many external calls, streaming.",
        show_default=False,
    ),
]
RelationalOption = Annotated[
    bool | None,
    typer.Option(
        "--relational/--no-relational",
        help="A relational, transaction-heavy domain.",
        show_default=False,
    ),
]
ApiDocsOption = Annotated[
    bool | None,
    typer.Option(
        "--api-docs/--no-api-docs", help="Generated API docs are a deliverable.", show_default=False
    ),
]
TeamOption = Annotated[
    Team | None,
    typer.Option(
        "--team",
        help="conventions (many developers who need conventions), typed (comfortable with "
        "type hints and async), small (a few who want full control).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON object on stdout and nothing else.")
]


def _given(**answers: Any) -> dict[str, Any]:
    """The recommender answers actually passed (None means "no preference")."""
    return {
        key: value.value if isinstance(value, Enum) else value
        for key, value in answers.items()
        if value is not None
    }


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
    kind: KindOption = None,
    admin: AdminOption = None,
    concurrency: ConcurrencyOption = None,
    relational: RelationalOption = None,
    api_docs: ApiDocsOption = None,
    team: TeamOption = None,
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
        bool, typer.Option("--no-git", help="Skip git init and the first commit.")
    ] = False,
    no_install: Annotated[bool, typer.Option("--no-install", help="Skip uv sync.")] = False,
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
        answers=_given(
            kind=kind,
            admin=admin,
            concurrency=concurrency,
            relational=relational,
            api_docs=api_docs,
            team=team,
        ),
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
def recommend(
    kind: KindOption = None,
    admin: AdminOption = None,
    concurrency: ConcurrencyOption = None,
    relational: RelationalOption = None,
    api_docs: ApiDocsOption = None,
    team: TeamOption = None,
    json_out: JsonOption = False,
) -> None:
    """Recommend a stack for what you are building, with the reasons and the runner-up."""
    from scaffold import ask
    from scaffold.recommend import Answers
    from scaffold.recommend import recommend as pick

    given = _given(
        kind=kind,
        admin=admin,
        concurrency=concurrency,
        relational=relational,
        api_docs=api_docs,
        team=team,
    )
    answers = Answers.from_dict(given)
    if not given and not json_out and ask.is_terminal():
        answers = ask.recommender_answers(answers)
    result = pick(answers)
    if json_out:
        _emit_json(result.to_json())
    else:
        ask.show_recommendation(result, typer.echo)


@app.command()
def update(
    path: Annotated[Path, typer.Argument(help="The generated project (default: here).")] = Path(
        "."
    ),
    vcs_ref: Annotated[
        str | None,
        typer.Option(
            help="Template version to update to (default: the newest release tag).",
            show_default=False,
        ),
    ] = None,
    conflict: Annotated[
        Conflict, typer.Option(help="How to leave conflicts: inline markers or .rej files.")
    ] = Conflict.inline,
    data: Annotated[
        list[str] | None,
        typer.Option("-d", "--data", metavar="KEY=VALUE", help="An answer to change or add."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; touch nothing.")
    ] = False,
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


@app.command("check-update")
def check_update(
    path: Annotated[Path, typer.Argument(help="The generated project (default: here).")] = Path(
        "."
    ),
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
