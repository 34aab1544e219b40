"""The CLI as a user meets it: exit codes, one-line errors, nothing created on refusal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import REPO, clean_env, scaffold

from scaffold.errors import Interrupted
from scaffold.target import undo_on_failure

HEAD = ["--vcs-ref", "HEAD"]  # render this checkout's working tree, not its newest tag


def _refused(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines, "a refusal says why"
    return lines[-1]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["new", "../escape", "-f", "flask", "-y"], "looks like a path"),
        (["new", "class", "-f", "flask", "-y"], "keyword"),
        (["new", "json", "-f", "flask", "-y"], "standard library"),
        (["new", "sqlalchemy", "-f", "fastapi", "-y"], "dependency of the fastapi stack"),
        (["new", "café", "-f", "flask", "-y"], "non-ASCII"),
        (["new", "demo", "-f", "rails", "-y"], "Unknown framework 'rails'"),
        (["new", "demo", "-f", "flask", "-y", "-d", "docker"], "-d expects KEY=VALUE"),
        (["new", "demo", "-f", "flask", "-y", "-d", "=x"], "-d expects KEY=VALUE"),
        (["new", "demo", "-f", "flask", "-y", "-d", "project_name=x"], "comes from NAME"),
        (["new", "demo", "-f", "flask", "-y", "--data-file", "missing.yml"], "does not exist"),
        (
            ["new", "demo", "-f", "flask", "-y", "--template", "/no/such/template"],
            "Template not found",
        ),
        (["new", "demo"], "pass -f/--framework"),
        (["new", "demo", "--kind", "api"], "pass -f/--framework"),
        (
            ["new", "demo", "-f", "flask", "-y", "-d", "python_version=2.7", *HEAD],
            "refused the answers",
        ),
        (["new", "demo", "-f", "flask", "-y", "-d", "ci=jenkins", *HEAD], "refused the answers"),
        (
            ["new", "demo", "-f", "flask", "-y", "-d", "description=one\ntwo", *HEAD],
            "Keep it to one line",
        ),
        (
            ["new", "demo", "-f", "django", "-y", "-d", "author_name=Ann\rX", *HEAD],
            "Keep it to one line",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_and_creates_nothing(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    line = _refused(scaffold(*args, cwd=tmp_path))
    assert expected in line
    assert list(tmp_path.iterdir()) == []


def test_typer_usage_errors_exit_2(tmp_path: Path) -> None:
    assert scaffold("new", cwd=tmp_path).returncode == 2
    assert scaffold("new", "demo", "--kind", "blog", cwd=tmp_path).returncode == 2
    assert scaffold("bogus", cwd=tmp_path).returncode == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [("docker: [unclosed", "not valid YAML"), ("- a\n- b\n", "must be a YAML mapping")],
)
def test_bad_data_file_exits_2(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "answers.yml").write_text(content)
    line = _refused(
        scaffold("new", "demo", "-f", "flask", "-y", "--data-file", "answers.yml", cwd=tmp_path)
    )
    assert expected in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yml"]


def test_missing_template_from_environment(tmp_path: Path) -> None:
    env = clean_env(SCAFFOLD_TEMPLATE=str(tmp_path / "nowhere"))
    assert "Template not found" in _refused(
        scaffold("new", "demo", "-f", "flask", "-y", cwd=tmp_path, env=env)
    )


def test_refuses_a_non_empty_directory_and_leaves_it_alone(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "notes.txt").write_text("mine")
    line = _refused(scaffold("new", "demo", "-f", "flask", "-y", cwd=tmp_path))
    assert "not empty" in line and "notes.txt" in line
    assert [p.name for p in (tmp_path / "demo").iterdir()] == ["notes.txt"]
    assert (tmp_path / "demo" / "notes.txt").read_text() == "mine"


def test_refuses_a_target_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "demo").write_text("a file")
    assert "is a file" in _refused(scaffold("new", "demo", "-f", "flask", "-y", cwd=tmp_path))
    assert (tmp_path / "demo").read_text() == "a file"


def test_failed_render_removes_only_what_it_created(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for name in ("fresh", "empty"):
        result = scaffold(
            "new", name, "-f", "flask", "-y", "--vcs-ref", "no-such-ref", cwd=tmp_path
        )
        assert "has no version 'no-such-ref'" in _refused(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]
    assert list((tmp_path / "empty").iterdir()) == []


def test_interrupt_undoes_the_run_but_keeps_a_directory_that_existed(tmp_path: Path) -> None:
    existing = tmp_path / "existing"
    existing.mkdir()
    for destination in (tmp_path / "a" / "b" / "new", existing):
        with pytest.raises(KeyboardInterrupt), undo_on_failure(destination):
            destination.mkdir(parents=True, exist_ok=True)
            (destination / "half.py").write_text("x")
            raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing"]
    assert list(existing.iterdir()) == []


def test_new_makes_a_git_repository_with_answers_for_updates(tmp_path: Path) -> None:
    (tmp_path / "empty-ok").mkdir()
    result = scaffold("new", "empty-ok", "-f", "fastapi", "-y", "--no-install", *HEAD, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "empty-ok"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert Path(answers["_src_path"]).is_absolute() and Path(answers["_src_path"]) == REPO
    assert answers["_commit"]
    assert answers["framework"] == "fastapi" and answers["package_name"] == "empty_ok"
    log = subprocess.run(["git", "log", "--oneline"], cwd=project, capture_output=True, text=True)
    assert len(log.stdout.splitlines()) == 1
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True
    )
    assert status.stdout == ""
    assert "uv run pytest" in result.stdout


def test_json_output_is_one_object_and_nothing_else(tmp_path: Path) -> None:
    result = scaffold(
        "new",
        "api-thing",
        "-y",
        "--kind",
        "api",
        "--api-docs",
        "--no-install",
        "--json",
        *HEAD,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["framework"] == "fastapi"
    assert payload["names"] == {"distribution": "api-thing", "package": "api_thing"}
    assert payload["reasons"] and payload["answers"]["stack_answers"] == {
        "kind": "api",
        "api_docs": True,
    }
    recorded = yaml.safe_load((tmp_path / "api-thing" / ".copier-answers.yml").read_text())
    assert recorded["stack_reasons"] == payload["reasons"]


def test_dry_run_writes_nothing_and_lists_files(tmp_path: Path) -> None:
    result = scaffold(
        "new", "plan", "-f", "flask", "-y", "--dry-run", "--json", *HEAD, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["dry_run"] is True and ".copier-answers.yml" in payload["files"]
    # uv sync comes first, so the first commit holds uv.lock.
    # The hooks last: they need the project installed and in git.
    assert payload["commands"][0] == "uv sync" and payload["commands"][1].startswith("git init")
    assert payload["commands"][-1] == "uvx pre-commit install --install-hooks"
    assert list(tmp_path.iterdir()) == []
    text = scaffold("new", "plan", "-f", "flask", "-y", "--dry-run", *HEAD, cwd=tmp_path)
    assert "nothing was written" in text.stdout and ".copier-answers.yml" in text.stdout
    assert list(tmp_path.iterdir()) == []


def test_missing_git_identity_commits_as_announced(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", XDG_CONFIG_HOME=str(home))
    # pytest-gitconfig (a pytest-copier dependency) points GIT_CONFIG_GLOBAL at an identity.
    for key in [
        key for key in env if key.startswith(("GIT_AUTHOR", "GIT_COMMITTER", "GIT_CONFIG_GLOBAL"))
    ]:
        del env[key]
    result = scaffold(
        "new", "anon", "-f", "flask", "-y", "--no-install", *HEAD, cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "no git identity is set" in result.stdout
    author = subprocess.run(
        ["git", "log", "--format=%an"], cwd=tmp_path / "anon", capture_output=True, text=True
    )
    assert author.stdout.strip() == "scaffold"


def test_missing_uv_is_reported_not_fatal(tmp_path: Path) -> None:
    dirs = os.environ["PATH"].split(os.pathsep)
    env = clean_env(PATH=os.pathsep.join(d for d in dirs if not (Path(d) / "uv").exists()))
    result = scaffold("new", "nouv", "-f", "flask", "-y", *HEAD, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "uv is not installed" in result.stdout
    assert "  uv sync" in result.stdout  # the next steps include installing by hand


def test_recommender_flags_come_from_rules_yaml() -> None:
    from scaffold.cli import app
    from scaffold.recommend import questions

    for command in ("new", "recommend"):
        help_text = " ".join(scaffold(command, "--help", cwd=REPO).stdout.split())
        for question in questions():
            assert f"{question.option} " in help_text or question.flag.replace("/", " / ") in (
                help_text
            )
            assert " ".join(question.help.split()) in help_text
            for choice in question.choices:
                assert f"{choice.value}: {choice.explanation}" in help_text
    assert app is not None


def test_recommend_cites_articles_by_title_and_publisher(tmp_path: Path) -> None:
    from scaffold.recommend import load_rules

    result = scaffold("recommend", "--kind", "product", "--admin", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ".txt" not in result.stdout
    book = load_rules()
    shown = [str(source) for source in book.sources.values() if str(source) in result.stdout]
    assert shown, result.stdout
    assert (
        '("FastAPI vs Django vs Flask in 2026: Choosing the Right Backend Framework" '
        "(DevCerts, 2026))" in result.stdout
    )
    assert ".txt" not in result.stdout
    payload = json.loads(
        scaffold("recommend", "--kind", "product", "--admin", "--json", cwd=tmp_path).stdout
    )
    titles = {source.title for source in book.sources.values()}
    for reason in payload["reasons"]:
        assert "seed" not in reason
        assert reason["source"]["title"] in titles and reason["source"]["date"]
    assert ".txt" not in json.dumps(payload)


def test_recommend_json_keys(tmp_path: Path) -> None:
    result = scaffold("recommend", "--kind", "product", "--admin", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"framework", "reasons", "fits", "conflicts", "runner_up", "answers"}
    assert payload["framework"] == "django"
    assert payload["answers"] == {"kind": "product", "admin": True}


def test_list_json_matches_the_templates(tmp_path: Path) -> None:
    payload = json.loads(scaffold("list", "--json", cwd=tmp_path).stdout)
    assert [entry["name"] for entry in payload] == sorted(
        p.name for p in (REPO / "templates").iterdir() if not p.name.startswith("_")
    )


@pytest.mark.parametrize(
    ("args", "module"),
    [
        (["--help"], "copier"),
        (["--help"], "pydantic"),  # the question flags come from rules.yaml as plain YAML
        (["list"], "copier"),
        (["recommend", "--json"], "copier"),
        (["new", "../x"], "copier"),
    ],
)
def test_fast_paths_do_not_import_copier(args: list[str], module: str) -> None:
    code = (
        "import sys\nfrom scaffold.cli import app\n"
        f"try:\n    app({args!r})\nexcept SystemExit:\n    pass\n"
        f"print({module!r} in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=clean_env(),
        stdin=subprocess.DEVNULL,
    )
    assert result.stderr.strip().splitlines()[-1] == "False", result.stderr


def test_version_flag() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scaffold", "--version"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    assert result.stdout.startswith("scaffold ")


def test_interrupted_install_keeps_the_finished_project(tmp_path: Path) -> None:
    from scaffold import create, post

    def interrupted(step: object) -> post.StepResult:
        raise KeyboardInterrupt

    request = create.NewRequest(
        name="cut",
        output_dir=tmp_path,
        framework="flask",
        yes=True,
        data=[],
        data_file=None,
        answers={},
        template=str(REPO),
        vcs_ref="HEAD",
        git=True,
        install=True,
        dry_run=False,
        interactive=False,
    )
    with pytest.raises(Interrupted) as caught:
        create.new(
            request,
            ask_answers=lambda a: a,
            confirm=lambda r: r.framework,
            say=lambda line: None,
            installing=interrupted,
            quiet=True,
        )
    assert caught.value.exit_code == 130
    assert (tmp_path / "cut" / "pyproject.toml").is_file()
    message = str(caught.value)
    assert "\n" not in message and str(tmp_path / "cut") in message
    assert message.endswith(f"&& uv sync && {post.GIT_COMMANDS} && {post.HOOKS_COMMAND}")


def test_a_failed_install_exits_1_and_says_how_to_finish(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_uv = bin_dir / "uv"
    fake_uv.write_text("#!/bin/sh\necho 'error: no network' >&2\nexit 2\n")
    fake_uv.chmod(0o755)
    env = clean_env(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = scaffold("new", "offline", "-f", "flask", "-y", *HEAD, cwd=tmp_path, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "uv sync failed (error: no network)" in result.stdout
    assert "cd " in result.stdout and "&& uv sync" in result.stdout
    assert (tmp_path / "offline" / ".git").is_dir(), "the rendered project is kept"
    # The hooks need the installed project: not attempted, and the next steps say how.
    assert "skipped: The pre-commit hooks wait" in result.stdout
    assert "uvx pre-commit install" in result.stdout.split("Next steps:", 1)[1]


def test_errors_become_one_line_and_their_status_in_one_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from scaffold import cli, update
    from scaffold.errors import ScaffoldError

    def raising(error: BaseException) -> object:
        def check(path: Path) -> object:
            raise error

        return check

    runner = CliRunner()
    for error, status in (
        (ScaffoldError("The template is gone; restore it."), 1),
        (update.UpdateRefused("Not a generated project; pass its path."), 2),
        (KeyboardInterrupt(), 130),
    ):
        monkeypatch.setattr(update, "check", raising(error))
        result = runner.invoke(cli.app, ["check-update"])
        assert result.exit_code == status, result.output
        assert result.output.startswith("error: ") and result.output.count("\n") == 1
    # An internal bug is not a usage error: it escapes with its traceback, never as exit 2.
    monkeypatch.setattr(update, "check", raising(ValueError("a bug")))
    result = runner.invoke(cli.app, ["check-update"])
    assert isinstance(result.exception, ValueError) and result.exit_code == 1


def test_a_failed_rehearsal_clone_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    from scaffold import update
    from scaffold.errors import ScaffoldError

    with pytest.raises(ScaffoldError) as caught:
        update._rehearsal_clone(tmp_path / "not-a-repo", tmp_path / "copy")
    assert caught.value.exit_code == 1 and "git clone" in str(caught.value)


def test_a_new_django_project_is_not_asked_the_tls_proxy_question(tmp_path: Path) -> None:
    result = scaffold("new", "shop", "-f", "django", "-y", *HEAD, "--no-install", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    said = result.stdout + result.stderr
    assert said.count("note: trust_proxy_headers=false") == 1, said
    assert "-d trust_proxy_headers=true" in said
    answers = yaml.safe_load((tmp_path / "shop" / ".copier-answers.yml").read_text())
    assert answers["trust_proxy_headers"] is False

    given = scaffold(
        "new", "proxied", "-f", "django", "-y", *HEAD, "--no-install", "--no-git",
        "-d", "trust_proxy_headers=true", cwd=tmp_path,
    )  # fmt: skip
    assert given.returncode == 0, given.stderr
    assert "trust_proxy_headers" not in given.stdout + given.stderr
    answers = yaml.safe_load((tmp_path / "proxied" / ".copier-answers.yml").read_text())
    assert answers["trust_proxy_headers"] is True


def test_every_question_fits_80_columns() -> None:
    """Copier shows a question as its help after a two-column emoji and a space: copier.yml's
    own questions and each stack's."""
    text = (REPO / "copier.yml").read_text(encoding="utf-8").split("\n---\n")[1]
    questions = list(yaml.safe_load(text).items())
    for stack_file in sorted((REPO / "templates").glob("*/copier-questions.yml")):
        questions += list(yaml.safe_load(stack_file.read_text(encoding="utf-8")).items())
    assert len(questions) > 10
    for name, spec in questions:
        if isinstance(spec, dict) and spec.get("help") and spec.get("ask") is not False:
            assert "\n" not in spec["help"] and len(spec["help"]) + 3 <= 80, name


def test_add_help_lists_the_features_and_their_stacks(tmp_path: Path) -> None:
    result = scaffold("add", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    features = result.stdout.split("Features:", 1)[1]
    for feature, stacks in (
        ("auth", "django, fastapi, flask"),
        ("worker", "django, fastapi, flask"),
    ):
        assert any(
            line.split() == [feature, *stacks.replace(",", "").split()]
            or (line.split()[:1] == [feature] and line.rstrip().endswith(stacks))
            for line in features.splitlines()
            if line.strip()
        ), features


def test_recommender_questions_show_each_title_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import typer

    from scaffold import ask
    from scaffold.recommend import Answers, questions

    shown: list[str] = []
    monkeypatch.setattr(typer, "echo", lambda message="", **kwargs: shown.append(str(message)))
    monkeypatch.setattr(typer, "prompt", lambda *args, **kwargs: "")  # Enter: no preference
    assert ask.recommender_answers(Answers()) == Answers()
    screen = "\n".join(shown)
    for question in questions():
        assert screen.count(question.prompt) == 1, screen


def test_directory_name_and_package_are_told_apart(tmp_path: Path) -> None:
    result = scaffold(
        "new", "My-Shop", "-f", "flask", "-y", *HEAD, "--no-install", "--no-git", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (
        "The directory is My-Shop; the project (distribution) name is my-shop and the import "
        "package is my_shop." in result.stdout
    )
    plain = scaffold(
        "new", "shop", "-f", "flask", "-y", *HEAD, "--no-install", "--no-git", cwd=tmp_path
    )
    assert "The directory is" not in plain.stdout


@pytest.mark.parametrize(("stack", "flags", "admin"), [
    ("flask", ["--admin"], True),
    ("fastapi", ["--admin"], True),
    ("fastapi", [], False),
    ("flask", ["--no-admin"], False),
])  # fmt: skip
def test_new_records_the_admin_answer_the_recommender_was_given(
    tmp_path: Path, stack: str, flags: list[str], admin: bool
) -> None:
    result = scaffold(
        "new", "shop", "-f", stack, *flags, "-y", *HEAD, "--no-install", "--no-git", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((tmp_path / "shop" / ".copier-answers.yml").read_text())
    assert answers["admin"] is admin and answers["auth"] is True
    assert (tmp_path / "shop" / "shop" / "admin").is_dir() is admin
