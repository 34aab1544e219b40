"""The recommender: answers about a new backend -> the framework that fits, and why.

The knowledge lives in rules.yaml, each rule citing one of the five 2026 comparison
articles. This module only checks that data and adds up weights, so it stays pure: no
Copier, no prompts, no I/O besides reading the rules file once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal, NoReturn

import yaml

from scaffold.errors import UsageError

__all__ = [
    "DEFAULT_RULE_ID",
    "Answers",
    "Choice",
    "Default",
    "InvalidAnswer",
    "Question",
    "Reason",
    "Recommendation",
    "Rule",
    "RuleBook",
    "Tradeoff",
    "load_rules",
    "parse_rules",
    "questions",
    "recommend",
]

Answer = str | bool
"""One answered question: a choice value, or true/false."""

# The questions are fields of Answers, so their ids and allowed values are fixed here;
# load_rules() checks that rules.yaml (which holds the prompts and help for the CLI) agrees.
CHOICE_QUESTIONS: dict[str, tuple[str, ...]] = {
    "kind": ("product", "api", "service", "ml", "realtime"),
    "team": ("conventions", "typed", "small"),
}
BOOL_QUESTIONS: tuple[str, ...] = ("admin", "concurrency", "relational", "api_docs")
QUESTION_IDS: tuple[str, ...] = ("kind", "admin", "concurrency", "relational", "api_docs", "team")

_RULES_FILE = "rules.yaml"


class InvalidAnswer(UsageError):
    """An answer to a recommender question that the question does not allow."""


def _check_choice(question: str, value: object) -> str | None:
    allowed = CHOICE_QUESTIONS[question]
    if value is None or (isinstance(value, str) and value in allowed):
        return value
    raise InvalidAnswer(
        f"The answer to {question!r} must be one of {', '.join(allowed)} "
        f"(or left unanswered), not {value!r}."
    )


def _check_bool(question: str, value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise InvalidAnswer(
        f"The answer to {question!r} must be true or false (or left unanswered), not {value!r}."
    )


def _unknown_question(question: str) -> NoReturn:
    raise InvalidAnswer(
        f"There is no question called {question!r}; the questions are {', '.join(QUESTION_IDS)}."
    )


def _check_answer(question: str, value: object) -> Answer | None:
    if question in CHOICE_QUESTIONS:
        return _check_choice(question, value)
    if question in BOOL_QUESTIONS:
        return _check_bool(question, value)
    _unknown_question(question)


@dataclass(frozen=True)
class Answers:
    """What the user told us. None means "no preference", which is not the same as False."""

    kind: str | None = None
    admin: bool | None = None
    concurrency: bool | None = None
    relational: bool | None = None
    api_docs: bool | None = None
    team: str | None = None

    def __post_init__(self) -> None:
        for question in QUESTION_IDS:
            _check_answer(question, getattr(self, question))

    def get(self, question: str) -> Answer | None:
        """The answer to `question` (None when unanswered); ValueError for an unknown id."""
        if question not in QUESTION_IDS:
            _unknown_question(question)
        value: Answer | None = getattr(self, question)
        return value

    def to_dict(self) -> dict[str, Answer]:
        """Only the answered questions, in question order."""
        answered: dict[str, Answer] = {}
        for question in QUESTION_IDS:
            value = self.get(question)
            if value is not None:
                answered[question] = value
        return answered

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Answers:
        """Build from a mapping such as to_dict() output; ValueError on unknown keys or values."""
        for question in data:
            if question not in QUESTION_IDS:
                _unknown_question(question)
        return cls(
            kind=_check_choice("kind", data.get("kind")),
            admin=_check_bool("admin", data.get("admin")),
            concurrency=_check_bool("concurrency", data.get("concurrency")),
            relational=_check_bool("relational", data.get("relational")),
            api_docs=_check_bool("api_docs", data.get("api_docs")),
            team=_check_choice("team", data.get("team")),
        )


@dataclass(frozen=True)
class Choice:
    value: str
    explanation: str


@dataclass(frozen=True)
class Question:
    """One recommender question as the CLI needs it: a flag and an interactive prompt."""

    id: str
    type: Literal["choice", "bool"]
    flag: str
    prompt: str
    help: str
    choices: tuple[Choice, ...] = ()

    @property
    def values(self) -> tuple[Answer, ...]:
        """The allowed answers."""
        if self.type == "bool":
            return (True, False)
        return tuple(choice.value for choice in self.choices)


@dataclass(frozen=True)
class Rule:
    """When every answer in `when` matches, add `weights` to the frameworks' scores."""

    id: str
    when: tuple[tuple[str, Answer], ...]
    weights: Mapping[str, int]
    reason: str
    seed: str
    quote: str

    def matches(self, answers: Answers) -> bool:
        """True when every condition holds; an unanswered question never matches."""
        return all(answers.get(question) == value for question, value in self.when)


@dataclass(frozen=True)
class Tradeoff:
    """What picking a framework gives up; shown when it comes second."""

    text: str
    seed: str
    quote: str


@dataclass(frozen=True)
class Default:
    """The articles' pick for a new backend with no constraints; it wins ties."""

    framework: str
    reason: str
    seed: str
    quote: str


@dataclass(frozen=True)
class RuleBook:
    """rules.yaml, checked: frameworks in tie-break order, the default, questions, rules."""

    frameworks: tuple[str, ...]
    default: Default
    tradeoffs: Mapping[str, Tradeoff]
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]

    def fired(self, answers: Answers) -> tuple[Rule, ...]:
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


@dataclass(frozen=True)
class Reason:
    """One fired rule that favours the pick (weight is what it added to the pick's score)."""

    rule_id: str
    framework: str
    weight: int
    text: str
    seed: str


@dataclass(frozen=True)
class Recommendation:
    """The pick, why, and the runner-up with what picking it would cost."""

    framework: str
    reasons: tuple[Reason, ...]
    runner_up: str
    runner_up_tradeoff: str
    scores: dict[str, int]
    answers: Answers

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict with exactly: framework, reasons, runner_up, answers."""
        return {
            "framework": self.framework,
            "reasons": [
                {"rule": r.rule_id, "text": r.text, "seed": r.seed, "weight": r.weight}
                for r in self.reasons
            ],
            "runner_up": {"framework": self.runner_up, "tradeoff": self.runner_up_tradeoff},
            "answers": self.answers.to_dict(),
        }


DEFAULT_RULE_ID = "default"
"""Reason.rule_id used when the articles' default decided a tie (or nothing was answered)."""


def recommend(answers: Answers, rules: RuleBook | None = None) -> Recommendation:
    """Add up the weights of the rules that fire and pick the highest score.

    Ties go to the articles' default (FastAPI), then to the order of `frameworks` in the data.
    The reasons are the fired rules that favour the pick, strongest first; when the pick won
    only through the default, the default's own citation closes the list.
    """
    book = rules if rules is not None else load_rules()
    fired = book.fired(answers)
    scores = {fw: sum(rule.weights.get(fw, 0) for rule in fired) for fw in book.frameworks}
    ranking = book.ranking(scores)
    pick, runner_up = ranking[0], ranking[1]

    favouring = [rule for rule in fired if rule.weights.get(pick, 0) > 0]
    favouring.sort(key=lambda rule: -rule.weights.get(pick, 0))  # stable: file order on ties
    reasons = [
        Reason(rule.id, pick, rule.weights[pick], rule.reason, rule.seed) for rule in favouring
    ]
    if pick == book.default.framework and scores[pick] == scores[runner_up]:
        reasons.append(Reason(DEFAULT_RULE_ID, pick, 0, book.default.reason, book.default.seed))
    return Recommendation(
        framework=pick,
        reasons=tuple(reasons),
        runner_up=runner_up,
        runner_up_tradeoff=book.tradeoffs[runner_up].text,
        scores=scores,
        answers=answers,
    )


def questions() -> tuple[Question, ...]:
    """The six questions, in asking order, from the packaged rules.yaml."""
    return load_rules().questions


def load_rules(path: str | os.PathLike[str] | None = None) -> RuleBook:
    """Read and check rules.yaml (the packaged one by default); cached per path.

    Raises ValueError naming the rule (or section) at fault when the data is inconsistent.
    """
    return _load_rules(None if path is None else str(Path(path).resolve()))


@cache
def _load_rules(path: str | None) -> RuleBook:
    if path is None:
        text = files(__package__ or "scaffold").joinpath(_RULES_FILE).read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{_RULES_FILE} is not valid YAML: {exc}") from None
    return parse_rules(data)


# --- checking the data ------------------------------------------------------------------


def _text(value: object, where: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} in {_RULES_FILE} needs a non-empty text {key!r}.")
    return value.strip()


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise ValueError(f"{where} in {_RULES_FILE} must be a mapping with text keys.")
    return value


def _keys(entry: Mapping[str, object], where: str, required: set[str], optional: set[str]) -> None:
    missing = sorted(required - entry.keys())
    if missing:
        raise ValueError(f"{where} in {_RULES_FILE} is missing {', '.join(missing)}.")
    unknown = sorted(entry.keys() - required - optional)
    if unknown:
        raise ValueError(f"{where} in {_RULES_FILE} has unknown keys {', '.join(unknown)}.")


def _cited(entry: Mapping[str, object], where: str) -> tuple[str, str]:
    seed = _text(entry.get("seed"), where, "seed")
    if "/" in seed or not seed.endswith(".txt"):
        raise ValueError(f"{where} in {_RULES_FILE} must cite a seed file name ending in .txt.")
    return seed, _text(entry.get("quote"), where, "quote")


def _parse_question(raw: object, index: int) -> Question:
    entry = _mapping(raw, f"Question #{index + 1}")
    qid = _text(entry.get("id"), f"Question #{index + 1}", "id")
    where = f"Question {qid!r}"
    _keys(entry, where, {"id", "type", "flag", "prompt", "help"}, {"choices"})
    if qid not in QUESTION_IDS:
        raise ValueError(f"{where} in {_RULES_FILE} is not one of {', '.join(QUESTION_IDS)}.")
    flag = _text(entry.get("flag"), where, "flag")
    if not flag.startswith("--"):
        raise ValueError(f"{where} in {_RULES_FILE} needs a flag starting with '--'.")
    prompt = _text(entry.get("prompt"), where, "prompt")
    help_line = _text(entry.get("help"), where, "help")
    if qid in BOOL_QUESTIONS:
        if entry.get("type") != "bool" or "choices" in entry:
            raise ValueError(f"{where} in {_RULES_FILE} must be type bool, without choices.")
        return Question(qid, "bool", flag, prompt, help_line)
    raw_choices = entry.get("choices")
    if entry.get("type") != "choice" or not isinstance(raw_choices, list):
        raise ValueError(f"{where} in {_RULES_FILE} must be type choice, with a list of choices.")
    choices: list[Choice] = []
    for raw_choice in raw_choices:
        choice = _mapping(raw_choice, f"A choice of {where.lower()}")
        _keys(choice, f"A choice of {where.lower()}", {"value", "explanation"}, set())
        choices.append(
            Choice(
                _text(choice.get("value"), where, "value"),
                _text(choice.get("explanation"), where, "explanation"),
            )
        )
    values = tuple(choice.value for choice in choices)
    if values != CHOICE_QUESTIONS[qid]:
        raise ValueError(
            f"{where} in {_RULES_FILE} must offer exactly {', '.join(CHOICE_QUESTIONS[qid])}."
        )
    return Question(qid, "choice", flag, prompt, help_line, tuple(choices))


def _parse_rule(raw: object, index: int, frameworks: tuple[str, ...]) -> Rule:
    entry = _mapping(raw, f"Rule #{index + 1}")
    rid = _text(entry.get("id"), f"Rule #{index + 1}", "id")
    where = f"Rule {rid!r}"
    _keys(entry, where, {"id", "when", "weights", "reason", "seed", "quote"}, set())

    when = _mapping(entry.get("when"), f"The condition of rule {rid!r}")
    if not when:
        raise ValueError(f"{where} in {_RULES_FILE} needs at least one condition in 'when'.")
    conditions: list[tuple[str, Answer]] = []
    for question, value in when.items():
        if question not in QUESTION_IDS:
            raise ValueError(
                f"{where} in {_RULES_FILE} has a condition on unknown question {question!r}."
            )
        if value is None:
            raise ValueError(f"{where} in {_RULES_FILE} has no value for {question!r}.")
        try:
            checked = _check_answer(question, value)
        except InvalidAnswer as exc:
            raise ValueError(f"{where} in {_RULES_FILE}: {exc}") from None
        assert checked is not None
        conditions.append((question, checked))

    raw_weights = _mapping(entry.get("weights"), f"The weights of rule {rid!r}")
    weights: dict[str, int] = dict.fromkeys(frameworks, 0)
    for fw, weight in raw_weights.items():
        if fw not in frameworks:
            raise ValueError(
                f"{where} in {_RULES_FILE} weighs unknown framework {fw!r}; "
                f"the frameworks are {', '.join(frameworks)}."
            )
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 0:
            raise ValueError(
                f"{where} in {_RULES_FILE} needs a whole number of 0 or more for {fw!r}."
            )
        weights[fw] = weight
    if not any(weights.values()):
        raise ValueError(f"{where} in {_RULES_FILE} gives no weight to any framework.")

    seed, quote = _cited(entry, where)
    return Rule(
        id=rid,
        when=tuple(conditions),
        weights=weights,
        reason=_text(entry.get("reason"), where, "reason"),
        seed=seed,
        quote=quote,
    )


def parse_rules(data: object) -> RuleBook:
    """Check already-loaded rules data and build the RuleBook; ValueError on any problem."""
    top = _mapping(data, "The top level")
    _keys(top, "The top level", {"frameworks", "default", "tradeoffs", "questions", "rules"}, set())

    raw_frameworks = top["frameworks"]
    if (
        not isinstance(raw_frameworks, list)
        or len(raw_frameworks) < 2
        or not all(isinstance(fw, str) and fw for fw in raw_frameworks)
        or len(set(raw_frameworks)) != len(raw_frameworks)
    ):
        raise ValueError(f"'frameworks' in {_RULES_FILE} must list two or more distinct names.")
    frameworks = tuple(str(fw) for fw in raw_frameworks)

    raw_default = _mapping(top["default"], "'default'")
    _keys(raw_default, "'default'", {"framework", "reason", "seed", "quote"}, set())
    default_fw = _text(raw_default.get("framework"), "'default'", "framework")
    if default_fw not in frameworks:
        raise ValueError(f"'default' in {_RULES_FILE} names unknown framework {default_fw!r}.")
    default = Default(
        default_fw,
        _text(raw_default.get("reason"), "'default'", "reason"),
        *_cited(raw_default, "'default'"),
    )

    raw_tradeoffs = _mapping(top["tradeoffs"], "'tradeoffs'")
    if set(raw_tradeoffs) != set(frameworks):
        raise ValueError(
            f"'tradeoffs' in {_RULES_FILE} needs one entry per framework: {', '.join(frameworks)}."
        )
    tradeoffs: dict[str, Tradeoff] = {}
    for fw in frameworks:
        where = f"The {fw} tradeoff"
        entry = _mapping(raw_tradeoffs[fw], where)
        _keys(entry, where, {"text", "seed", "quote"}, set())
        tradeoffs[fw] = Tradeoff(_text(entry.get("text"), where, "text"), *_cited(entry, where))

    raw_questions = top["questions"]
    if not isinstance(raw_questions, list):
        raise ValueError(f"'questions' in {_RULES_FILE} must be a list.")
    parsed_questions = tuple(_parse_question(q, i) for i, q in enumerate(raw_questions))
    ids = [q.id for q in parsed_questions]
    if sorted(ids) != sorted(QUESTION_IDS):
        raise ValueError(
            f"'questions' in {_RULES_FILE} must hold each of {', '.join(QUESTION_IDS)} once."
        )

    raw_rules = top["rules"]
    if not isinstance(raw_rules, list) or not raw_rules:
        raise ValueError(f"'rules' in {_RULES_FILE} must be a non-empty list.")
    parsed_rules = tuple(_parse_rule(r, i, frameworks) for i, r in enumerate(raw_rules))
    seen: set[str] = set()
    for rule in parsed_rules:
        if rule.id in seen:
            raise ValueError(f"Rule {rule.id!r} appears twice in {_RULES_FILE}.")
        seen.add(rule.id)

    return RuleBook(frameworks, default, tradeoffs, parsed_questions, parsed_rules)
