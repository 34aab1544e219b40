"""The recommender: answers about a new backend -> the framework that fits, and why.

The knowledge lives in rules.yaml (declared and checked in `rulebook.py`), each rule citing
one of the five 2026 comparison articles. This module only adds up weights, so it stays pure:
no Copier, no prompts, no I/O besides reading the rules file once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from scaffold.rulebook import (
    Answer,
    InvalidAnswer,
    Question,
    RuleBook,
    RulesError,
    load_rules,
    parse_rules,
)

__all__ = [
    "DEFAULT_RULE_ID",
    "Answer",
    "Answers",
    "InvalidAnswer",
    "Question",
    "Reason",
    "Recommendation",
    "RuleBook",
    "RulesError",
    "load_rules",
    "parse_rules",
    "questions",
    "recommend",
]


def questions() -> tuple[Question, ...]:
    """The questions, in asking order, from the packaged rules.yaml."""
    return load_rules().questions


class Answers(Mapping[str, Answer]):
    """What the user told us, question id -> answer, checked against the questions.

    An unanswered question is absent (None when given): "no preference", not False.
    """

    __slots__ = ("_answers",)

    def __init__(self, **given: object) -> None:
        book = load_rules()
        checked = {}
        for question_id, value in given.items():
            question = book.question(question_id)
            if value is not None:
                checked[question_id] = question.check(value)
        self._answers = {q.id: checked[q.id] for q in book.questions if q.id in checked}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Answers:
        """Build from a mapping such as to_dict(); InvalidAnswer on unknown keys or values."""
        return cls(**{str(key): value for key, value in data.items()})

    def to_dict(self) -> dict[str, Answer]:
        """Only the answered questions, in question order."""
        return dict(self._answers)

    def __getitem__(self, question: str) -> Answer:
        return self._answers[question]

    def __iter__(self) -> Iterator[str]:
        return iter(self._answers)

    def __len__(self) -> int:
        return len(self._answers)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Answers) and self._answers == other._answers

    def __hash__(self) -> int:
        return hash(tuple(self._answers.items()))

    def __repr__(self) -> str:
        return f"Answers({', '.join(f'{k}={v!r}' for k, v in self._answers.items())})"


@dataclass(frozen=True)
class Reason:
    """One fired rule that favours the pick (weight is what it added to the pick's score)."""

    rule_id: str
    framework: str
    weight: int
    text: str
    seed: str  # the article's file in shared/seeds/
    source: str  # the article as a reader finds it: "Title, Publisher"


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
    scores = {fw: sum(rule.weight(fw) for rule in fired) for fw in book.frameworks}
    ranking = book.ranking(scores)
    pick, runner_up = ranking[0], ranking[1]

    favouring = [rule for rule in fired if rule.weight(pick) > 0]
    favouring.sort(key=lambda rule: -rule.weight(pick))  # stable: file order on ties
    reasons = [
        Reason(
            rule.id, pick, rule.weight(pick), rule.reason, rule.seed, str(book.sources[rule.seed])
        )
        for rule in favouring
    ]
    if pick == book.default.framework and scores[pick] == scores[runner_up]:
        default = book.default
        reasons.append(
            Reason(
                DEFAULT_RULE_ID,
                pick,
                0,
                default.reason,
                default.seed,
                str(book.sources[default.seed]),
            )
        )
    return Recommendation(
        framework=pick,
        reasons=tuple(reasons),
        runner_up=runner_up,
        runner_up_tradeoff=book.tradeoffs[runner_up].text,
        scores=scores,
        answers=answers,
    )
