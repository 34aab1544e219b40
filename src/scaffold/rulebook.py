"""rules.yaml, declared: the recommender's questions, rules, trade-offs and the articles they
cite, as pydantic models. Loading the file validates it; a problem names the rule at fault.

The questions are defined here once: the CLI's flags and the interactive prompts come from
them (the flags are read from the same file, see `cli.py`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    model_validator,
)

from scaffold.errors import UsageError

RULES_FILE = "rules.yaml"

Answer = str | bool
"""One answered question: a choice value, or true/false."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
SeedFile = Annotated[str, StringConstraints(pattern=r"^[^/\\]+\.txt$")]
Weight = Annotated[StrictInt, Field(ge=0)]


class InvalidAnswer(UsageError):
    """An answer that the recommender's questions do not allow."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Data):
    """One of the comparison articles, as a reader can find it."""

    title: Text
    publisher: Text
    author: Text | None  # None: the article names no author
    date: Text  # as the article dates itself: 2026-06-10, or only the year
    url: Text | None = None

    def __str__(self) -> str:
        by = f" by {self.author}" if self.author else ""
        return f'"{self.title}"{by} ({self.publisher}, {self.date})'

    def to_json(self) -> dict[str, str | None]:
        return {
            "title": self.title,
            "publisher": self.publisher,
            "author": self.author,
            "date": self.date,
            "url": self.url,
        }


class Choice(_Data):
    value: Name
    explanation: Text


class Question(_Data):
    """One recommender question: a CLI flag (derived from the id) and a prompt."""

    id: Name
    type: Literal["choice", "bool"]
    prompt: Text
    help: Text
    choices: tuple[Choice, ...] = ()

    @model_validator(mode="after")
    def _choices_fit_the_type(self) -> Self:
        values = [choice.value for choice in self.choices]
        if self.type == "bool" and values:
            raise ValueError(f"question {self.id!r} is a bool question and takes no choices")
        if self.type == "choice" and (len(values) < 2 or len(set(values)) != len(values)):
            raise ValueError(f"question {self.id!r} needs two or more distinct choices")
        return self

    @property
    def option(self) -> str:
        return "--" + self.id.replace("_", "-")

    @property
    def flag(self) -> str:
        """The CLI option: --kind, or --admin/--no-admin for a bool question."""
        return f"{self.option}/--no-{self.option[2:]}" if self.type == "bool" else self.option

    @property
    def values(self) -> tuple[Answer, ...]:
        """The allowed answers."""
        if self.type == "bool":
            return (True, False)
        return tuple(choice.value for choice in self.choices)

    def check(self, value: object) -> Answer:
        """`value` if this question allows it; InvalidAnswer saying what it allows otherwise."""
        if self.type == "bool":
            if isinstance(value, bool):
                return value
            allowed = "true or false"
        else:
            if isinstance(value, str) and value in self.values:
                return value
            allowed = "one of " + ", ".join(str(v) for v in self.values)
        raise InvalidAnswer(
            f"The answer to {self.id!r} must be {allowed} (or left unanswered), not {value!r}."
        )


Claims = dict[Name, dict[Name, StrictBool]]
"""framework -> fact -> value: what a text says about the projects scaffold generates (the
facts are stacks.yaml's; tests/test_recommend.py holds both against rendered projects)."""


class Cited(_Data):
    seed: SeedFile  # the saved article's file name (tests/data/articles.yaml keys)
    quote: Text  # words copied verbatim from it (a test checks)
    claims: Claims = {}


class Rule(Cited):
    """When every answer in `when` matches, add `weights` to the frameworks' scores."""

    id: Name
    when: Annotated[dict[Name, StrictStr | StrictBool], Field(min_length=1)]
    weights: dict[Name, Weight]
    reason: Text

    def matches(self, answers: Mapping[str, Answer]) -> bool:
        """True when every condition holds; an unanswered question never matches."""
        return all(answers.get(question) == value for question, value in self.when.items())

    def weight(self, framework: str) -> int:
        return self.weights.get(framework, 0)


class Tradeoff(Cited):
    """What picking a framework gives up, and when it is the better pick anyway; shown when
    it comes second."""

    text: Text
    better_when: Text


class Default(Cited):
    """The articles' pick for a new backend with no constraints; it wins ties."""

    framework: Name
    reason: Text  # when nothing was answered
    tie_reason: Text  # when answers were given but pulled equally


class Fit(_Data):
    """How one stack's generated project serves one answer, or plainly that it does not."""

    serves: StrictBool
    text: Text
    claims: Claims = {}


class RuleBook(_Data):
    """rules.yaml: frameworks in tie-break order, the default, trade-offs, the articles,
    the questions and the rules, checked against each other."""

    frameworks: Annotated[tuple[Name, ...], Field(min_length=2)]
    default: Default
    tradeoffs: dict[Name, Tradeoff]
    sources: dict[SeedFile, Source]
    questions: Annotated[tuple[Question, ...], Field(min_length=1)]
    rules: Annotated[tuple[Rule, ...], Field(min_length=1)]
    # question id -> answer -> framework -> fit: every answer of every question, every stack.
    fits: dict[Name, dict[StrictStr | StrictBool, dict[Name, Fit]]]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _unique("frameworks", self.frameworks)
        _unique("question ids", [question.id for question in self.questions])
        _unique("rule ids", [rule.id for rule in self.rules])
        if self.default.framework not in self.frameworks:
            raise ValueError(f"default names unknown framework {self.default.framework!r}")
        if set(self.tradeoffs) != set(self.frameworks):
            raise ValueError(f"tradeoffs needs one entry per framework: {self.frameworks}")
        cited: list[tuple[str, Cited]] = [("default", self.default)]
        cited += [(f"the {fw} tradeoff", entry) for fw, entry in self.tradeoffs.items()]
        for rule in self.rules:
            where = f"rule {rule.id!r}"
            cited.append((where, rule))
            for question, value in rule.when.items():
                try:
                    self.question(question).check(value)
                except InvalidAnswer as error:
                    raise ValueError(f"{where}: {error}") from None
            unknown = sorted(set(rule.weights) - set(self.frameworks))
            if unknown:
                raise ValueError(f"{where} weighs unknown frameworks {unknown}")
            if not any(rule.weights.values()):
                raise ValueError(f"{where} gives no weight to any framework")
        for where, entry in cited:
            if entry.seed not in self.sources:
                raise ValueError(f"{where} cites {entry.seed}, which is not under sources")
        for asked in self.questions:
            for value in asked.values:
                given = self.fits.get(asked.id, {}).get(value, {})
                if set(given) != set(self.frameworks):
                    raise ValueError(
                        f"fits.{asked.id}.{value} needs one entry per framework: "
                        f"{', '.join(self.frameworks)}"
                    )
        return self

    def fit(self, question_id: str, answer: Answer, framework: str) -> Fit:
        """How `framework`'s generated project serves `answer` to `question_id`."""
        return self.fits[question_id][answer][framework]

    def question(self, question_id: str) -> Question:
        """The question called `question_id`; InvalidAnswer naming the questions otherwise."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise InvalidAnswer(
            f"There is no question called {question_id!r}; the questions are "
            f"{', '.join(q.id for q in self.questions)}."
        )

    def fired(self, answers: Mapping[str, Answer]) -> tuple[Rule, ...]:
        """The rules whose conditions all match `answers`, in file order."""
        return tuple(rule for rule in self.rules if rule.matches(answers))

    def ranking(self, scores: Mapping[str, int]) -> tuple[str, ...]:
        """Frameworks best first: highest score, then the default, then the fixed order."""
        return tuple(
            sorted(
                self.frameworks,
                key=lambda fw: (
                    -scores.get(fw, 0),
                    fw != self.default.framework,
                    self.frameworks.index(fw),
                ),
            )
        )


def _unique(what: str, items: list[str] | tuple[str, ...]) -> None:
    repeated = sorted({item for item in items if items.count(item) > 1})
    if repeated:
        raise ValueError(f"{what} must be distinct; repeated: {', '.join(repeated)}")


class RulesError(ValueError):
    """rules.yaml does not fit the schema: a bug in the data, not in the user's input."""


def parse_rules(data: Any) -> RuleBook:
    """Validate already-loaded rules data; RulesError naming the rule (or key) at fault."""
    try:
        return RuleBook.model_validate(data)
    except ValidationError as error:
        problems = [f"{_where(data, e['loc'])}: {e['msg']}" for e in error.errors()]
        raise RulesError(f"{RULES_FILE} is invalid: {'; '.join(problems)}") from None


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    """A pydantic error location, with rules named by id instead of their index."""
    parts = [str(part) for part in loc]
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        with contextlib.suppress(KeyError, IndexError, TypeError):
            parts[:2] = [f"rule {data['rules'][loc[1]]['id']!r}"]
    return ".".join(parts) or "the top level"


def read_rules_text(path: str | os.PathLike[str] | None = None) -> str:
    if path is None:
        return files("scaffold").joinpath(RULES_FILE).read_text(encoding="utf-8")
    return Path(path).read_text(encoding="utf-8")


def load_rules(path: str | os.PathLike[str] | None = None) -> RuleBook:
    """Read and validate rules.yaml (the packaged one by default); cached per path."""
    return _load_rules(None if path is None else str(Path(path).resolve()))


@cache
def _load_rules(path: str | None) -> RuleBook:
    try:
        data = yaml.safe_load(read_rules_text(path))
    except yaml.YAMLError as exc:
        raise RulesError(f"{RULES_FILE} is not valid YAML: {exc}") from None
    return parse_rules(data)
