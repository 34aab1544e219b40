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
    Rule,
    RuleBook,
    RulesError,
    Source,
    load_rules,
    parse_rules,
)

__all__ = [
    "DEFAULT_RULE_ID",
    "Answer",
    "AnswerFit",
    "Answers",
    "Conflict",
    "InvalidAnswer",
    "Question",
    "Reason",
    "Recommendation",
    "RuleBook",
    "RulesError",
    "flag_for",
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


def flag_for(question_id: str, answer: Answer) -> str:
    """An answer as the user would type it: --kind api, --admin, --no-admin."""
    option = "--" + question_id.replace("_", "-")
    if isinstance(answer, bool):
        return option if answer else f"--no-{option[2:]}"
    return f"{option} {answer}"


@dataclass(frozen=True)
class Reason:
    """One fired rule that favours the pick (weight is what it added to the pick's score)."""

    rule_id: str
    framework: str
    weight: int
    text: str
    seed: str  # the saved article's file name: never shown, `cited` is
    cited: Source

    @property
    def source(self) -> str:
        """The article as a reader finds it: "Title" by Author (Publisher, date)."""
        return str(self.cited)


@dataclass(frozen=True)
class AnswerFit:
    """How the pick serves one answer the user gave, or that it does not (and who would)."""

    question: str
    answer: Answer
    flag: str
    serves: bool
    text: str
    honoured_by: str | None  # the best-ranked stack that serves it, when the pick does not


@dataclass(frozen=True)
class Conflict:
    """An answer the pick does not serve: which answers won over it, and who would honour it."""

    lost: str  # the answer's flag
    won: tuple[str, ...]  # the flags of the answers that pointed to the pick
    honoured_by: str
    text: str


@dataclass(frozen=True)
class Recommendation:
    """The pick, why, how it serves each answer, and the runner-up: why it came second, when
    it would be the better pick and what picking it would cost."""

    framework: str
    reasons: tuple[Reason, ...]
    runner_up: str
    runner_up_tradeoff: str
    scores: dict[str, int]
    answers: Answers
    fits: tuple[AnswerFit, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    runner_up_why: str = ""
    runner_up_better_when: str = ""

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict: framework, reasons (each citing its article by title, author
        and date), fits, conflicts, runner_up, answers."""
        return {
            "framework": self.framework,
            "reasons": [
                {
                    "rule": r.rule_id,
                    "text": r.text,
                    "source": r.cited.to_json(),
                    "weight": r.weight,
                }
                for r in self.reasons
            ],
            "fits": [
                {
                    "answer": f.flag,
                    "serves": f.serves,
                    "text": f.text,
                    "honoured_by": f.honoured_by,
                }
                for f in self.fits
            ],
            "conflicts": [
                {"lost": c.lost, "won": list(c.won), "honoured_by": c.honoured_by, "text": c.text}
                for c in self.conflicts
            ],
            "runner_up": {
                "framework": self.runner_up,
                "why": self.runner_up_why,
                "better_when": self.runner_up_better_when,
                "tradeoff": self.runner_up_tradeoff,
            },
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
        Reason(rule.id, pick, rule.weight(pick), rule.reason, rule.seed, book.sources[rule.seed])
        for rule in favouring
    ]
    tied = scores[pick] == scores[runner_up]
    if pick == book.default.framework and tied:
        default = book.default
        # Answers that pulled equally did point elsewhere: do not say that none did.
        text = default.tie_reason if fired else default.reason
        reasons.append(
            Reason(DEFAULT_RULE_ID, pick, 0, text, default.seed, book.sources[default.seed])
        )
    fits = tuple(_fit(book, ranking, question, answer) for question, answer in answers.items())
    return Recommendation(
        framework=pick,
        reasons=tuple(reasons),
        runner_up=runner_up,
        runner_up_tradeoff=book.tradeoffs[runner_up].text,
        scores=scores,
        answers=answers,
        fits=fits,
        conflicts=tuple(
            _conflict(book, fired, scores, pick, fit) for fit in fits if not fit.serves
        ),
        runner_up_why=_why_second(book, fired, scores, pick, runner_up),
        runner_up_better_when=book.tradeoffs[runner_up].better_when,
    )


def _fit(book: RuleBook, ranking: tuple[str, ...], question: str, answer: Answer) -> AnswerFit:
    pick = ranking[0]
    fit = book.fit(question, answer, pick)
    honoured_by = None
    if not fit.serves:
        honoured_by = next(fw for fw in ranking if book.fit(question, answer, fw).serves)
    return AnswerFit(
        question, answer, flag_for(question, answer), fit.serves, fit.text, honoured_by
    )


def _pointing_to(fired: tuple[Rule, ...], framework: str) -> list[str]:
    """The flags of the answers whose rules added weight to `framework`, in question order
    of first appearance."""
    flags: list[str] = []
    for rule in fired:
        if rule.weight(framework) > 0:
            for question, answer in rule.when.items():
                flag = flag_for(question, answer)
                if flag not in flags:
                    flags.append(flag)
    return flags


def _score_line(scores: Mapping[str, int], first: str, second: str) -> str:
    return f"{first} scored {scores[first]} to {second}'s {scores[second]}"


def _tie_note(book: RuleBook, scores: Mapping[str, int], winner: str, loser: str) -> str:
    if scores[winner] != scores[loser]:
        return ""
    if winner == book.default.framework:
        return f", and ties go to {winner}, the articles' default"
    return f", and ties go to {winner} before {loser}"


def _conflict(
    book: RuleBook,
    fired: tuple[Rule, ...],
    scores: Mapping[str, int],
    pick: str,
    fit: AnswerFit,
) -> Conflict:
    assert fit.honoured_by is not None  # an unserved answer always has a stack that serves it
    other = fit.honoured_by
    won = tuple(flag for flag in _pointing_to(fired, pick) if flag != fit.flag)
    winners = ", ".join(won) if won else "no answer in particular"
    text = (
        f"{fit.flag} lost to {winners}: {_score_line(scores, pick, other)}"
        f"{_tie_note(book, scores, pick, other)}; {other} would honour {fit.flag}."
    )
    return Conflict(fit.flag, won, other, text)


def _why_second(
    book: RuleBook, fired: tuple[Rule, ...], scores: Mapping[str, int], pick: str, second: str
) -> str:
    backing = _pointing_to(fired, second)
    pointed = f"; your answers for it: {', '.join(backing)}" if backing else ""
    return f"{_score_line(scores, pick, second)}{_tie_note(book, scores, pick, second)}{pointed}"
