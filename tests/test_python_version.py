"""Python 3.14 without a 3.14 interpreter: every stack, with every combination of its options,
resolves its dependencies (dev group included) for CPython 3.14 on Linux to wheels only, and
every package with compiled code has a wheel built for 3.14 (or the stable ABI).

uv resolves for a target it does not run (`--python-version`, `--python-platform`); `--no-build`
refuses source distributions, so a package without a usable wheel fails the resolution. The
dependencies are read from each rendered pyproject.toml, so what other features add is covered.
Needs PyPI (or the index uv is configured with).
"""

from __future__ import annotations

import itertools
import shutil
import tomllib
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from helpers import REPO, STACKS, missing, render, run
from jinja2 import meta

from scaffold.update import FEATURE_NEEDS

pytestmark = pytest.mark.smoke

TARGET = "3.14"
PLATFORM = "x86_64-manylinux_2_28"


def _questions(stack: str) -> dict[str, Any]:
    """copier.yml's questions (its `!include` documents left out) and the stack's own."""
    questions: dict[str, Any] = {}
    for document in (REPO / "copier.yml").read_text().split("\n---\n"):
        if "!include" not in document:
            questions.update(yaml.safe_load(document) or {})
    source = REPO / "templates" / stack / "copier-questions.yml"
    if source.is_file():
        questions.update(yaml.safe_load(source.read_text()) or {})
    return questions


def _pyproject_variables(stack: str) -> set[str]:
    """The answers the stack's pyproject.toml template reads, through the shared templates it
    imports too: no other answer can change its dependencies."""
    environment = jinja2.Environment()
    found: set[str] = set()
    pending = [f"templates/{stack}/pyproject.toml.jinja"]
    while pending:
        parsed = environment.parse((REPO / pending.pop()).read_text())
        found |= meta.find_undeclared_variables(parsed)
        pending += [name for name in meta.find_referenced_templates(parsed) if name]
    return found


def option_combinations(stack: str) -> list[dict[str, Any]]:
    """Every combination of the choice and yes/no questions this stack asks that its
    pyproject.toml reads (the Python version is fixed to the target; the framework is the
    stack)."""
    axes: dict[str, list[Any]] = {}
    read = _pyproject_variables(stack)
    for name, spec in _questions(stack).items():
        if name.startswith("_") or name in {"framework", "python_version"} or name not in read:
            continue
        if not isinstance(spec, dict) or spec.get("ask") is False:
            continue
        when = str(spec.get("when", ""))
        if "framework" in when and f"'{stack}'" not in when:
            continue  # asked of other stacks only
        if spec.get("type") == "bool":
            axes[name] = [True, False]
        elif isinstance(spec.get("choices"), dict):
            axes[name] = list(spec["choices"].values())
        elif isinstance(spec.get("choices"), list):
            axes[name] = list(spec["choices"])
    combos = [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())]
    # Copier's validators refuse a feature without the one it needs (admin without auth).
    return [
        combo
        for combo in combos
        if not any(
            combo.get(feature) and combo.get(need) is False
            for feature, needs in FEATURE_NEEDS.items()
            for need in needs
        )
    ]


def wheel_tags(filename: str) -> set[tuple[str, str, str]]:
    """(interpreter, abi, platform) triples of a wheel file name (PEP 427, compressed tags)."""
    python, abi, platform = filename.removesuffix(".whl").split("-")[-3:]
    return set(itertools.product(python.split("."), abi.split("."), platform.split(".")))


def is_compiled(tags: set[tuple[str, str, str]]) -> bool:
    return any(abi != "none" for _, abi, _ in tags)


def runs_on_target(tags: set[tuple[str, str, str]]) -> bool:
    """A CPython 3.14 wheel, or a stable-ABI one (abi3 from an older version) for x86-64 Linux."""

    def minor(interpreter: str) -> int:
        return int(interpreter.removeprefix("cp3")) if interpreter.startswith("cp3") else 99

    return any(
        platform.endswith("x86_64")
        and "linux" in platform
        and (interpreter == "cp314" or (abi == "abi3" and minor(interpreter) <= 14))
        for interpreter, abi, platform in tags
    )


def resolve(project: Path) -> list[dict[str, Any]]:
    """The packages uv picks for 3.14 on Linux, with the wheel chosen for each."""
    run(
        [
            "uv",
            "pip",
            "compile",
            "pyproject.toml",
            "--all-extras",
            "--group",
            "dev",
            "--python-version",
            TARGET,
            "--python-platform",
            PLATFORM,
            "--no-build",
            "--format",
            "pylock.toml",
            "--quiet",
            "--output-file",
            "pylock.toml",
        ],
        project,
        timeout=600,
    )
    return list(tomllib.loads((project / "pylock.toml").read_text())["packages"])


COMBINATIONS = [(stack, answers) for stack in STACKS for answers in option_combinations(stack)]


@pytest.mark.parametrize(
    ("stack", "answers"),
    COMBINATIONS,
    ids=[
        "-".join([stack, *(f"{k}={v}" for k, v in answers.items())])
        for stack, answers in COMBINATIONS
    ],
)
def test_dependencies_resolve_for_python_314_with_wheels(
    stack: str, answers: dict[str, Any], tmp_path: Path
) -> None:
    if shutil.which("uv") is None:
        missing("uv is not on PATH")
    project = render(tmp_path / "demo-app", stack, python_version=TARGET, **answers)
    packages = resolve(project)
    assert packages, f"{stack} {answers}: nothing resolved"
    problems = []
    compiled = []
    for package in packages:
        # uv lists every wheel that installs on the target; an installer takes the most
        # specific, so where a compiled one is listed, it is the one that must fit 3.14.
        names = [wheel["url"].rsplit("/", 1)[1] for wheel in package.get("wheels") or []]
        if not names:
            problems.append(f"{package['name']} {package['version']}: no wheel")
            continue
        built = [name for name in names if is_compiled(wheel_tags(name))]
        if not built:
            continue
        fitting = [name for name in built if runs_on_target(wheel_tags(name))]
        if fitting:
            compiled.append(fitting[0])
        else:
            problems.append(f"{package['name']}: no CPython 3.14 wheel among {built}")
    assert not problems, f"{stack} {answers}:\n" + "\n".join(problems)
    print(
        f"{stack} {answers}: {len(packages)} packages for Python {TARGET} on Linux, "
        f"{len(compiled)} compiled: {', '.join(sorted(compiled))}"
    )


def test_the_answers_that_change_dependencies_are_varied() -> None:
    """The dependencies are read from the pyproject template, found by parsing it: the answers
    known to add packages (`auth`, the worker) must be among those varied."""
    for stack in STACKS:
        varied = set().union(*(answers.keys() for answers in option_combinations(stack)))
        assert {"auth", "worker"} <= varied, stack
