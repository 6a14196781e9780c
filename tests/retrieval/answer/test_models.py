"""One ``Answer``, one truth: ``answered`` follows from the outcome, and every answer carries a confidence."""

from __future__ import annotations

import pytest

from quotebot.retrieval import Answer as ExportedAnswer
from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.answer.models import Answer, Outcome
from quotebot.retrieval.ingest.loader import load_folder
from quotebot.retrieval.ingest.models import Document
from tests.conftest import SHIPPED_CORPUS


@pytest.fixture(scope="module")
def article() -> QuoteEngine:
    return QuoteEngine.build(load_folder(SHIPPED_CORPUS).documents)


@pytest.mark.parametrize(
    ("outcome", "quote", "answered"),
    [(Outcome.ANSWERED, "2,914", True), (Outcome.UNSURE, "2,914", True), (Outcome.DECLINED, None, False)],
)
def test_answered_is_the_outcome_read_as_a_yes_or_no(outcome: Outcome, quote: str | None, answered: bool) -> None:
    answer = Answer(question="How many?", outcome=outcome, quote=quote, hits=(), confidence=0.5)
    assert answer.answered is answered
    assert answer.to_json()["answered"] is answered and answer.to_json()["outcome"] == outcome.value


def test_answered_cannot_be_given_apart_from_the_outcome() -> None:
    with pytest.raises(TypeError):
        Answer(question="How many?", answered=True, outcome=Outcome.DECLINED, quote=None, hits=(), confidence=0.0)  # type: ignore[call-arg]


@pytest.mark.parametrize(("outcome", "quote"), [(Outcome.ANSWERED, None), (Outcome.DECLINED, "2,914")])
def test_a_quote_is_there_exactly_when_one_is_shown(outcome: Outcome, quote: str | None) -> None:
    with pytest.raises(ValueError, match="quote"):
        Answer(question="How many?", outcome=outcome, quote=quote, hits=(), confidence=0.5)


@pytest.mark.parametrize(
    ("question", "outcome", "confidence"),
    [
        ("Who wrote this article?", Outcome.ANSWERED, 1.0),  # the document's own record: exact
        ("When was this article published?", Outcome.DECLINED, 0.0),  # a record the document does not hold
        ("", Outcome.DECLINED, 0.0),  # no words to search for
        ("zyxwv qwrtp", Outcome.DECLINED, 0.0),  # nothing in the corpus matches
    ],
)
def test_the_engine_states_a_confidence_for_every_answer_as_the_contract_says(
    article: QuoteEngine, question: str, outcome: Outcome, confidence: float
) -> None:
    answer = article.ask(question)
    assert (answer.outcome, answer.confidence) == (outcome, confidence)


def test_a_judged_quote_has_a_probability_and_the_package_exports_the_one_answer(article: QuoteEngine) -> None:
    answer = article.ask("What was the highest number of defectors in a single year?")
    assert answer.outcome is Outcome.ANSWERED and 0.5 < answer.confidence < 1.0
    assert ExportedAnswer is Answer and isinstance(answer.source, Document)
