"""The recommender: article-backed answer table, rule citations, and the function's contract.

Fast: the files read are the packaged rules.yaml and stacks.yaml, tests/data/articles.yaml
(the passages of the five comparison articles that the rules quote, made by
tests/tools/excerpt_articles.py from the articles themselves, which live outside the
repository), tests/data/recommendations.tsv (every answer set's pick and runner-up), and one
rendered project per stack, whose facts the texts are held to.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffold.recommend import (
    Answers,
    InvalidAnswer,
    Recommendation,
    RuleBook,
    load_rules,
    parse_rules,
    questions,
    recommend,
)

ARTICLES = yaml.safe_load(
    (Path(__file__).parent / "data" / "articles.yaml").read_text(encoding="utf-8")
)
FRAMEWORKS = {"django", "fastapi", "flask"}
QUESTION_IDS = tuple(q.id for q in questions())
CHOICE_QUESTIONS = {q.id: q.values for q in questions() if q.type == "choice"}
BOOL_QUESTIONS = tuple(q.id for q in questions() if q.type == "bool")


def _all_answer_sets() -> list[Answers]:
    """Every combination of answers, unanswered included (1944 sets)."""
    options: dict[str, list[Any]] = {
        "kind": [None, *CHOICE_QUESTIONS["kind"]],
        "team": [None, *CHOICE_QUESTIONS["team"]],
        **{q: [None, True, False] for q in BOOL_QUESTIONS},
    }
    return [
        Answers(**dict(zip(options, combo, strict=True)))
        for combo in itertools.product(*options.values())
    ]


ALL_ANSWERS = _all_answer_sets()


def _raw_rules() -> Any:
    text = files("scaffold").joinpath("rules.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


# --- the table: answers -> the framework the articles point to -------------------------------
# Seeds: 000 = 000_09b4265c16aed2a0.txt, 001 = 001_2b94d5f1780ad667.txt (MicroPyramid),
# 002 = 002_d255f9da8931b6c2.txt (DevCerts), 003 = 003_b67d1700758dd983.txt (UK guide),
# 004 = 004_62bcff1249fe9efb.txt (DomainIndia decision matrix).
TABLE: list[tuple[dict[str, Any], str]] = [
    # 003: "If you are starting a new Python backend project today with no legacy
    # constraints, default to FastAPI"
    ({}, "fastapi"),
    # 002: "If the project is a data-heavy product with admin workflows, start with Django."
    ({"kind": "product", "admin": True}, "django"),
    # 001: "You are building a content-rich product, SaaS, e-commerce site, or internal tool."
    ({"kind": "product"}, "django"),
    # 002: "Admin-heavy product ... Choose Django. This is the most direct case."
    ({"admin": True}, "django"),
    # 002: Flask "is a good choice when: The service has a narrow responsibility. The team wants
    # explicit control over every major component. The application does not need a built-in admin."
    ({"kind": "service", "team": "small", "admin": False}, "flask"),
    # 002: "If the project is a small integration service with narrow scope, use Flask."
    ({"kind": "service"}, "flask"),
    # 004: "ML model serving (Hugging Face ships FastAPI in their inference examples)"
    ({"kind": "ml"}, "fastapi"),
    # 003: "AI and ML model serving (the async model handles concurrent inference requests
    # efficiently)"
    ({"kind": "ml", "concurrency": True}, "fastapi"),
    # 003: Choose Flask when "You are serving a machine learning model and want the lightest
    # possible wrapper"
    ({"kind": "ml", "concurrency": False, "team": "small"}, "flask"),
    # 004: "Chat, SSE, WebSocket" -> "FastAPI (async-native)"
    ({"kind": "realtime"}, "fastapi"),
    # 004: "Team with many Python devs joining" -> "Django (conventions = onboarding)";
    # 002: "Most workflows are relational and transaction-heavy."
    ({"team": "conventions", "relational": True}, "django"),
    # 001: "You are building an API, a set of microservices, or a backend for a mobile/SPA
    # frontend."
    ({"kind": "api"}, "fastapi"),
    # 002: "If the project is an API-first service with typed contracts, start with FastAPI."
    ({"kind": "api", "api_docs": True}, "fastapi"),
    # 004: "Must auto-generate API docs" -> "FastAPI (OpenAPI built in)"
    ({"api_docs": True}, "fastapi"),
    # 001: "Concurrency and I/O throughput matter — many simultaneous requests, external
    # calls, or streaming."
    ({"concurrency": True}, "fastapi"),
    # 002: "Choose FastAPI if the team is comfortable with typed Python, API design, async
    # behavior, and explicit architecture."
    ({"team": "typed"}, "fastapi"),
    # 001: Choose Flask if "You prefer to assemble your own stack rather than adopt a
    # framework's conventions."
    ({"team": "small"}, "flask"),
    # 002: "Choose Django if you need predictable onboarding and consistent patterns across a
    # larger backend team."
    ({"team": "conventions"}, "django"),
    # 001: "If you want to ship a feature-complete product quickly with a small team, Django
    # is hard to beat."
    ({"kind": "product", "team": "small"}, "django"),
    # 002: "Use Django if the API is only one part of a broader product system with admin
    # workflows and relational business logic."
    ({"kind": "api", "admin": True, "relational": True}, "django"),
    # 004: FastAPI wins "Webhook receivers that must scale"
    ({"kind": "service", "concurrency": True}, "fastapi"),
    # 001: "for small, focused, mostly synchronous applications Flask is still excellent"
    ({"kind": "service", "concurrency": False}, "flask"),
    # 002: Django "is a strong default when: ... Most workflows are relational and
    # transaction-heavy."
    ({"relational": True}, "django"),
    # 002 avoid: "Choosing Django for a tiny stateless API with no data model or admin needs."
    # (FastAPI over Flask: the 003 default)
    ({"admin": False, "relational": False}, "fastapi"),
    # 004: "5 engineers built it in weeks." (Django admin for internal tools)
    ({"admin": True, "team": "small"}, "django"),
    # 002: "Avoid bare Flask unless the API is small or your team already has a mature
    # validation, documentation, and testing stack."
    ({"kind": "api", "team": "small"}, "fastapi"),
    # 002: "Choose FastAPI when the service exposes HTTP APIs, benefits from typed schemas"
    ({"kind": "service", "team": "typed"}, "fastapi"),
    # 004: "Async webhooks, real-time, ML inference" -> FastAPI
    ({"kind": "realtime", "concurrency": True, "team": "typed"}, "fastapi"),
    # 003: Choose Django when "You are building a full web application with user
    # authentication, admin functionality, and complex data relationships"
    (
        {
            "kind": "product",
            "admin": True,
            "relational": True,
            "team": "conventions",
            "concurrency": False,
        },
        "django",
    ),
    # 001: FastAPI "Excellent fit for AI backends. Streaming responses, async I/O"
    ({"kind": "ml", "api_docs": True, "team": "typed"}, "fastapi"),
]


@pytest.mark.parametrize(("answers", "expected"), TABLE, ids=[str(a) for a, _ in TABLE])
def test_table(answers: dict[str, Any], expected: str) -> None:
    assert recommend(Answers.from_dict(answers)).framework == expected


def test_table_is_big_enough() -> None:
    assert len(TABLE) >= 20
    assert {expected for _, expected in TABLE} == FRAMEWORKS


# --- the data: every rule is cited, checkable and reachable ----------------------------------


def _normalise(text: str) -> str:
    for curly, straight in {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}.items():
        text = text.replace(curly, straight)
    return " ".join(text.split())


def _citations() -> list[tuple[str, str, str]]:
    book = load_rules()
    cited = [(f"rule {r.id}", r.seed, r.quote) for r in book.rules]
    cited += [(f"tradeoff {fw}", t.seed, t.quote) for fw, t in book.tradeoffs.items()]
    cited.append(("default", book.default.seed, book.default.quote))
    return cited


@pytest.mark.parametrize(("what", "seed", "quote"), _citations(), ids=lambda v: str(v)[:40])
def test_citation_quote_is_in_its_seed(what: str, seed: str, quote: str) -> None:
    assert seed in ARTICLES, f"{what} cites {seed}, which is not in tests/data/articles.yaml"
    passages = ARTICLES[seed]["passages"]
    assert any(_normalise(quote) in passage for passage in passages), (
        f"{what}: quote not found verbatim in {seed} (after changing a quote, run "
        f"tests/tools/excerpt_articles.py): {quote!r}"
    )


def test_every_article_is_listed_with_its_title_author_and_date() -> None:
    sources = load_rules().sources
    assert set(ARTICLES) == set(sources)
    for seed, source in sources.items():
        article = ARTICLES[seed]
        assert (article["title"], article["publisher"]) == (source.title, source.publisher)
        assert (article["author"], str(article["date"])) == (source.author, source.date), seed
        assert str(article["date"]).startswith("2026"), seed


def test_every_rule_can_fire() -> None:
    book = load_rules()
    for rule in book.rules:
        answers = Answers.from_dict(dict(rule.when))
        assert rule in book.fired(answers), rule.id
        assert any(r.rule_id == rule.id for r in _reasons_for_some_answers(rule.id)), rule.id


def _reasons_for_some_answers(rule_id: str) -> list[Any]:
    """Reasons from the first answer set whose recommendation quotes `rule_id` (or none)."""
    for answers in ALL_ANSWERS:
        reasons = recommend(answers).reasons
        if any(r.rule_id == rule_id for r in reasons):
            return list(reasons)
    return []


def test_every_framework_can_win() -> None:
    assert {recommend(a).framework for a in ALL_ANSWERS} == FRAMEWORKS


def test_questions_for_the_cli() -> None:
    qs = questions()
    assert QUESTION_IDS == ("kind", "admin", "concurrency", "relational", "api_docs", "team")
    assert CHOICE_QUESTIONS == {
        "kind": ("product", "api", "service", "ml", "realtime"),
        "team": ("conventions", "typed", "small"),
    }
    flags = {q.id: q.flag for q in qs}
    assert flags == {
        "kind": "--kind",
        "admin": "--admin/--no-admin",
        "concurrency": "--concurrency/--no-concurrency",
        "relational": "--relational/--no-relational",
        "api_docs": "--api-docs/--no-api-docs",
        "team": "--team",
    }
    for q in qs:
        assert q.prompt and q.help
        if q.type == "choice":
            assert all(c.explanation for c in q.choices)
        else:
            assert q.values == (True, False)
            assert q.choices == ()


def test_load_rules_is_cached() -> None:
    assert load_rules() is load_rules()
    packaged = Path(str(files("scaffold").joinpath("rules.yaml")))
    assert load_rules(packaged) == load_rules()


# --- the function's contract ------------------------------------------------------------------


def test_no_answers_gives_the_articles_default_with_its_reason() -> None:
    rec = recommend(Answers())
    assert rec.framework == load_rules().default.framework == "fastapi"
    assert [r.rule_id for r in rec.reasons] == ["default"]
    assert rec.reasons[0].seed == "003_b67d1700758dd983.txt"


@pytest.mark.parametrize("answers", ALL_ANSWERS[::7], ids=lambda a: str(a.to_dict()))
def test_reasons_favour_the_pick_strongest_first(answers: Answers) -> None:
    rec = recommend(answers)
    book = load_rules()
    weights = [r.weight for r in rec.reasons]
    assert weights == sorted(weights, reverse=True)
    assert rec.reasons, "every recommendation says why"
    fired = {rule.id: rule for rule in book.fired(answers)}
    for reason in rec.reasons:
        assert reason.framework == rec.framework
        if reason.rule_id == "default":
            assert rec.framework == book.default.framework
            assert rec.scores[rec.framework] == rec.scores[rec.runner_up]
        else:
            assert reason.weight > 0
            assert fired[reason.rule_id].weight(rec.framework) == reason.weight
    # every fired rule that favours the pick is listed
    favouring = {rid for rid, rule in fired.items() if rule.weight(rec.framework) > 0}
    assert favouring <= {r.rule_id for r in rec.reasons}


def test_scores_ranking_and_runner_up_over_every_answer_set() -> None:
    book = load_rules()
    for answers in ALL_ANSWERS:
        rec = recommend(answers)
        top = max(rec.scores.values())
        assert rec.scores[rec.framework] == top
        assert rec.runner_up != rec.framework
        rest = {fw: s for fw, s in rec.scores.items() if fw != rec.framework}
        assert rec.scores[rec.runner_up] == max(rest.values())
        assert rec.runner_up_tradeoff == book.tradeoffs[rec.runner_up].text
        assert rec.runner_up_tradeoff
        leaders = [fw for fw, s in rec.scores.items() if s == top]
        if book.default.framework in leaders:
            assert rec.framework == book.default.framework


def test_ties_follow_the_default_then_the_data_order() -> None:
    # concurrency=False alone: Django and Flask tie at 1, FastAPI (the default) has 0,
    # so the fixed order in rules.yaml decides: Django before Flask.
    rec = recommend(Answers(concurrency=False))
    assert rec.scores == {"fastapi": 0, "django": 1, "flask": 1}
    assert (rec.framework, rec.runner_up) == ("django", "flask")
    # admin=False alone: FastAPI and Flask tie, the default wins.
    rec = recommend(Answers(admin=False))
    assert (rec.framework, rec.runner_up) == ("fastapi", "flask")
    # No answers: all tie; default first, then the data order.
    assert recommend(Answers()).runner_up == "django"


def test_runner_up_tradeoff_for_a_clear_pick() -> None:
    rec = recommend(Answers(kind="product", admin=True))
    assert (rec.framework, rec.runner_up) == ("django", "fastapi")
    assert "admin" in rec.runner_up_tradeoff


def test_json_shape() -> None:
    rec = recommend(Answers(kind="service", team="small", admin=False))
    data = rec.to_json()
    assert set(data) == {"framework", "reasons", "fits", "conflicts", "runner_up", "answers"}
    assert data["framework"] == "flask"
    assert data["answers"] == {"kind": "service", "admin": False, "team": "small"}
    runner_up = data["runner_up"]
    assert isinstance(runner_up, dict)
    assert set(runner_up) == {"framework", "why", "better_when", "tradeoff"}
    reasons = data["reasons"]
    assert isinstance(reasons, list) and reasons
    for reason in reasons:
        assert set(reason) == {"rule", "text", "source", "weight"}
        assert set(reason["source"]) == {"title", "publisher", "author", "date", "url"}
    assert json.loads(json.dumps(data)) == data


def test_json_of_no_answers() -> None:
    data = recommend(Answers()).to_json()
    assert data["answers"] == {}
    json.dumps(data)


def test_recommend_is_deterministic() -> None:
    for answers in ALL_ANSWERS[::11]:
        first = recommend(answers)
        assert recommend(answers) == first
        assert recommend(Answers.from_dict(dict(reversed(answers.to_dict().items())))) == first
        assert isinstance(first, Recommendation)


# --- unanswered is "no preference", not "no" ------------------------------------------------


@pytest.mark.parametrize("question", BOOL_QUESTIONS)
def test_unanswered_differs_from_no_only_where_a_rule_cites_no(question: str) -> None:
    book = load_rules()
    cites_no = [rule for rule in book.rules if rule.when.get(question) is False]
    for answers in ALL_ANSWERS:
        if answers.get(question) is not None:
            continue
        said_no = Answers.from_dict({**answers.to_dict(), question: False})
        unanswered, no = recommend(answers).scores, recommend(said_no).scores
        extra = {fw: 0 for fw in book.frameworks}
        for rule in cites_no:
            if rule.matches(said_no):
                for fw in extra:
                    extra[fw] += rule.weight(fw)
        assert {fw: no[fw] - unanswered[fw] for fw in no} == extra


def test_admin_none_and_false_differ_but_api_docs_do_not() -> None:
    assert recommend(Answers(admin=None)).scores != recommend(Answers(admin=False)).scores
    assert not [rule for rule in load_rules().rules if rule.when.get("api_docs") is False]
    assert recommend(Answers(api_docs=None)).scores == recommend(Answers(api_docs=False)).scores


def test_unanswered_question_never_fires_a_rule() -> None:
    book = load_rules()
    assert book.fired(Answers()) == ()


# --- answers validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "names"),
    [
        ({"kind": "website"}, ["'kind'", "product", "api", "service", "ml", "realtime"]),
        ({"team": "large"}, ["'team'", "conventions", "typed", "small"]),
        ({"admin": "yes"}, ["'admin'", "true or false"]),
        ({"api_docs": 1}, ["'api_docs'", "true or false"]),
        ({"colour": "red"}, ["'colour'", "kind", "team"]),
    ],
)
def test_invalid_answers_raise_a_plain_sentence(data: dict[str, Any], names: list[str]) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        Answers.from_dict(data)
    message = str(caught.value)
    assert "\n" not in message and message.endswith(".") and message[0].isupper()
    for name in names:
        assert name in message


def test_constructor_validates_too() -> None:
    with pytest.raises(InvalidAnswer, match="'kind'"):
        Answers(kind="website")


def test_answers_round_trip() -> None:
    answers = Answers(kind="api", admin=False, team="typed")
    assert answers.to_dict() == {"kind": "api", "admin": False, "team": "typed"}
    assert Answers.from_dict(answers.to_dict()) == answers
    assert Answers.from_dict({"kind": None, "admin": None}) == Answers()


# --- rules.yaml validation -------------------------------------------------------------------


def _first_rule_broken(change: str) -> tuple[Any, str]:
    raw = copy.deepcopy(_raw_rules())
    rule = raw["rules"][0]
    if change == "unknown framework":
        rule["weights"]["pyramid"] = 2
    elif change == "unknown question":
        rule["when"]["budget"] = "low"
    elif change == "unknown value":
        rule["when"]["kind"] = "website"
    elif change == "bool as text":
        rule["when"] = {"admin": "yes"}
    elif change == "missing seed":
        del rule["seed"]
    elif change == "missing reason":
        del rule["reason"]
    elif change == "empty when":
        rule["when"] = {}
    elif change == "negative weight":
        rule["weights"]["flask"] = -1
    elif change == "code string":
        rule["when"] = "answers.kind == 'product'"
    return raw, rule["id"]


@pytest.mark.parametrize(
    "change",
    [
        "unknown framework",
        "unknown question",
        "unknown value",
        "bool as text",
        "missing seed",
        "missing reason",
        "empty when",
        "negative weight",
        "code string",
    ],
)
def test_bad_rules_are_refused_naming_the_rule(change: str) -> None:
    raw, rule_id = _first_rule_broken(change)
    with pytest.raises(ValueError, match=rule_id):
        parse_rules(raw)


def test_packaged_rules_parse_to_the_same_book() -> None:
    book = parse_rules(_raw_rules())
    assert isinstance(book, RuleBook)
    assert book == load_rules()
    assert len({rule.id for rule in book.rules}) == len(book.rules)
    assert set(book.frameworks) == FRAMEWORKS


def test_custom_rule_book() -> None:
    raw = _raw_rules()
    raw["rules"] = [
        {
            "id": "only_rule",
            "when": {"team": "small"},
            "weights": {"django": 5},
            "reason": "A test rule.",
            "seed": "004_62bcff1249fe9efb.txt",
            "quote": "Prototypes",
        }
    ]
    book = parse_rules(raw)
    rec = recommend(Answers(team="small"), book)
    assert rec.framework == "django"
    assert [r.rule_id for r in rec.reasons] == ["only_rule"]
    assert recommend(Answers(kind="service"), book).framework == "fastapi"


# --- every answer is answered -----------------------------------------------------------------


def test_every_answer_given_gets_a_line_saying_how_the_pick_serves_it() -> None:
    book = load_rules()
    for answers in ALL_ANSWERS:
        rec = recommend(answers)
        assert [f.question for f in rec.fits] == list(answers)
        for fit in rec.fits:
            assert fit.text == book.fit(fit.question, fit.answer, rec.framework).text
            if fit.serves:
                assert fit.honoured_by is None
            else:
                assert fit.honoured_by is not None and fit.honoured_by != rec.framework
                assert book.fit(fit.question, fit.answer, fit.honoured_by).serves
        assert [c.lost for c in rec.conflicts] == [f.flag for f in rec.fits if not f.serves]


def test_admin_with_fastapi_picked_says_the_project_gets_sqladmin() -> None:
    rec = recommend(Answers(admin=True, relational=True, team="typed", concurrency=True))
    assert rec.framework == "fastapi"
    (admin,) = [fit for fit in rec.fits if fit.question == "admin"]
    assert admin.serves and admin.honoured_by is None
    assert "SQLAdmin" in admin.text and "--admin" in admin.text


def test_a_tie_is_not_called_no_constraints() -> None:
    rec = recommend(Answers(kind="ml", admin=True))
    assert rec.scores["fastapi"] == rec.scores["django"]
    texts = [reason.text for reason in rec.reasons]
    assert not any("no constraints" in text for text in texts), texts
    assert any("pull equally" in text for text in texts)
    assert recommend(Answers()).reasons[0].text == load_rules().default.reason


def _answer_pairs() -> list[dict[str, Any]]:
    """Every pair of answers to two different questions whose pick leaves one unserved."""
    book = load_rules()
    single = [(q.id, value) for q in book.questions for value in q.values]
    pairs = []
    for (q1, v1), (q2, v2) in itertools.combinations(single, 2):
        if q1 != q2 and recommend(Answers(**{q1: v1, q2: v2})).conflicts:
            pairs.append({q1: v1, q2: v2})
    return pairs


CONFLICTING_PAIRS = _answer_pairs()


def test_there_are_conflicting_pairs_to_test() -> None:
    assert {"kind": "realtime", "team": "conventions"} in CONFLICTING_PAIRS
    assert len(CONFLICTING_PAIRS) >= 10


@pytest.mark.parametrize("pair", CONFLICTING_PAIRS, ids=lambda p: str(p))
def test_conflicting_pair_says_which_won_why_and_who_honours_the_loser(
    pair: dict[str, Any],
) -> None:
    from scaffold.recommend import flag_for

    book = load_rules()
    rec = recommend(Answers(**pair))
    flags = {flag_for(q, v): (q, v) for q, v in pair.items()}
    for conflict in rec.conflicts:
        assert conflict.lost in flags
        question, answer = flags[conflict.lost]
        assert not book.fit(question, answer, rec.framework).serves
        assert book.fit(question, answer, conflict.honoured_by).serves
        (other,) = set(flags) - {conflict.lost}
        # The winner is the other answer unless the pick won only on the default's tie-break.
        if rec.scores[rec.framework] > rec.scores[conflict.honoured_by]:
            assert conflict.won == (other,) or other in conflict.won
        text = conflict.text
        assert text.startswith(f"{conflict.lost} lost to ")
        assert f"{rec.framework} scored {rec.scores[rec.framework]}" in text
        assert f"{conflict.honoured_by} would honour {conflict.lost}." in text


def test_runner_up_says_why_second_and_when_it_would_be_better() -> None:
    book = load_rules()
    rec = recommend(Answers(kind="api", admin=True))
    assert (rec.framework, rec.runner_up) == ("django", "fastapi") or rec.runner_up
    assert f"scored {rec.scores[rec.framework]} to {rec.runner_up}'s" in rec.runner_up_why
    assert rec.runner_up_better_when == book.tradeoffs[rec.runner_up].better_when
    for answers in ALL_ANSWERS[::13]:
        rec = recommend(answers)
        for fit in rec.fits:
            pointing = [
                r for r in book.fired(answers) if r.weight(rec.runner_up) and fit.question in r.when
            ]
            if pointing:
                assert fit.flag in rec.runner_up_why


def test_no_internal_file_name_reaches_a_user() -> None:
    from scaffold.ask import show_recommendation

    for answers in ALL_ANSWERS[::5]:
        rec = recommend(answers)
        lines: list[str] = []
        show_recommendation(rec, lines.append)
        shown = "\n".join(lines) + json.dumps(rec.to_json())
        assert ".txt" not in shown and "seed" not in shown
        for reason in rec.reasons:
            assert reason.cited.title in shown and reason.cited.date in shown
            if reason.cited.author:
                assert reason.cited.author in shown


# --- every text is true of the projects scaffold generates -----------------------------------

# A text that mentions one of these must claim the fact, so a test holds it to the renders.
FACT_WORDS = {
    "admin": ("admin",),
    "orm": ("orm", "sqlalchemy"),
    "migrations": ("migration", "alembic"),
    "api_docs": ("docs", "openapi"),
    "async_views": ("async", "synchronous"),
}


def _texts() -> list[tuple[str, str, dict[str, dict[str, bool]]]]:
    book = load_rules()
    texts = [(f"rule {r.id}", r.reason, r.claims) for r in book.rules]
    for fw, tradeoff in book.tradeoffs.items():
        texts.append((f"tradeoff {fw}", tradeoff.text, tradeoff.claims))
    for question, by_answer in book.fits.items():
        for answer, by_stack in by_answer.items():
            for fw, fit in by_stack.items():
                texts.append((f"fit {question}={answer} {fw}", fit.text, fit.claims))
    return texts


@pytest.mark.parametrize(("what", "text", "claims"), _texts(), ids=lambda v: str(v)[:40])
def test_each_text_claims_only_facts_of_the_generated_stacks(
    what: str, text: str, claims: dict[str, dict[str, bool]]
) -> None:
    from scaffold.stacks import stacks

    for framework, facts in claims.items():
        for fact, value in facts.items():
            assert stacks()[framework].facts[fact] == value, f"{what}: {framework}.{fact}"
    lowered = text.lower()
    for fact, words in FACT_WORDS.items():
        if any(re.search(r"\b" + word, lowered) for word in words):
            claimed = {f for facts in claims.values() for f in facts}
            # An admin the `admin` answer adds is a claim about admin screens too.
            claimed |= {"admin"} if "admin_option" in claimed else set()
            assert fact in claimed, f"{what} speaks of {fact} without claiming it: {text!r}"


def test_the_issue_s_false_texts_are_gone() -> None:
    texts = " ".join(text for _, text, _ in _texts())
    assert "need add-ons for them" not in texts
    assert "No built-in ORM or admin, so persistence" not in texts


def _rendered_facts(project: Path) -> dict[str, bool]:
    """The facts read off a rendered project's files."""
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for path in project.rglob("*")
        if path.is_file() and path.suffix in (".py", ".toml")
    )
    package = project / "demo_app"
    views = [package / "items" / name for name in ("routes.py", "views.py")]
    return {
        "admin": bool(
            {"django.contrib.admin", "sqladmin", "flask_admin", "flask-admin"}
            & {word for word in code.replace('"', " ").split()}
        ),
        "orm": "sqlalchemy" in code.lower() or "from django.db import models" in code,
        "migrations": any(
            "migrations" in path.parts and path.suffix == ".py" for path in project.rglob("*")
        ),
        "api_docs": "/api/docs" in code or '"api/docs"' in code,
        "async_views": any(
            path.is_file() and "async def" in path.read_text(encoding="utf-8") for path in views
        ),
    }


@pytest.mark.parametrize("framework", sorted(FRAMEWORKS))
def test_stack_facts_hold_in_a_rendered_project(framework: str, tmp_path: Path) -> None:
    from helpers import render

    from scaffold.stacks import stacks

    facts = dict(stacks()[framework].facts)
    offers_admin = facts.pop("admin_option")
    project = render(tmp_path / "demo", framework)
    assert _rendered_facts(project) == facts
    # With the template's `admin` answer on, a stack that offers it has admin screens; the
    # others' projects come out as before.
    with_admin = render(tmp_path / "with-admin", framework, admin=True)
    assert _rendered_facts(with_admin)["admin"] == (offers_admin or facts["admin"])


# --- no recommendation changes silently ------------------------------------------------------

RECORDED = Path(__file__).parent / "data" / "recommendations.tsv"


def _row(answers: Answers) -> str:
    """One answer set and its (pick, runner-up), tab-separated, "-" for unanswered."""
    values = ["-" if answers.get(q) is None else str(answers[q]).lower() for q in QUESTION_IDS]
    rec = recommend(answers)
    return "\t".join([*values, rec.framework, rec.runner_up])


def test_no_pick_or_runner_up_changed_for_any_answer_set() -> None:
    """tests/data/recommendations.tsv holds (pick, runner-up) for all 1944 answer sets. A
    change to rules.yaml that moves one must say why in CHANGELOG.md, then rewrite the file:
    `uv run python tests/test_recommend.py`."""
    recorded = RECORDED.read_text(encoding="utf-8").splitlines()
    assert recorded[0] == "\t".join([*QUESTION_IDS, "pick", "runner_up"])
    rows = [_row(answers) for answers in ALL_ANSWERS]
    assert len(rows) == 1944
    changed = sorted(set(rows) - set(recorded[1:]))
    assert not changed, f"{len(changed)} recommendations changed, e.g. {changed[0]!r}"


def test_an_answer_alone_is_always_served_by_its_pick() -> None:
    """The fits agree with the rules: an answer given alone never conflicts with itself."""
    for question in questions():
        for value in question.values:
            rec = recommend(Answers(**{question.id: value}))
            assert rec.fits[0].serves, (question.id, value, rec.framework)


if __name__ == "__main__":
    RECORDED.write_text(
        "\n".join(["\t".join([*QUESTION_IDS, "pick", "runner_up"]), *map(_row, ALL_ANSWERS)])
        + "\n",
        encoding="utf-8",
    )
