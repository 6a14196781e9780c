"""The default install's answers: meaning as well as words, the answering sentence, and honest doubt."""

from __future__ import annotations

import pytest

from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.answer.models import Outcome
from quotebot.retrieval.index.onnx_embedder import load_embedder
from quotebot.retrieval.ingest.loader import load_folder
from tests.conftest import SHIPPED_CORPUS


@pytest.fixture(scope="module")
def article() -> QuoteEngine:
    return QuoteEngine.build(load_folder(SHIPPED_CORPUS).documents, load_embedder())


@pytest.mark.parametrize(
    "question",
    [
        # The example, and the same question reworded and typed as members type it.
        "How many defectors reached South Korea in 2019?",
        "How many defectors arrived in South Korea last year?",
        "How many North Koreans resettled in South Korea in 2019?",
        "How many North Korean defectors arrived in the South in 2019?",
        "how many ppl defected to south korea last yr",
        "what was the number of defectors who came to south korea in 2019",
    ],
)
def test_the_2019_count_is_quoted_not_the_cumulative_one(article: QuoteEngine, question: str) -> None:
    answer = article.ask(question)
    assert answer.answered
    assert "to only 1,047 last year" in answer.quote
    assert answer.quote in answer.hits[0].passage.text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The README's first question, and the issue's flagship questions with members' rewordings of them.
        ("What was the peak number of North Korean defectors reaching South Korea?", "a peak of 2,914 in 2009"),
        ("How many defectors reached South Korea in 2019?", "to only 1,047 last year"),
        ("so how many made it to the south in 2019", "to only 1,047 last year"),
        ("whats the most defectors that ever arrived in one yr", "a peak of 2,914 in 2009"),
    ],
)
def test_the_flagship_questions_are_answered_confidently(article: QuoteEngine, question: str, expected: str) -> None:
    answer = article.ask(question)
    assert answer.outcome is Outcome.ANSWERED, answer.confidence
    assert expected in answer.quote


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # "why" / "how come" quote the sentence that gives the reason.
        ("why are so many defectors killing themselves", "was due to the traumatic sense of isolation"),
        # "what %" asks for a percent.
        ("what % of defectors have jobs", "62.1 percent"),
    ],
)
def test_members_wording_reaches_the_sentence_that_answers(article: QuoteEngine, question: str, expected: str) -> None:
    answer = article.ask(question)
    assert answer.outcome is not Outcome.DECLINED and expected in answer.quote


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("does china send them back", "routinely return to the North"),
        ("how much do defectors make a month", "US$1,720 per month"),
        ("u know who the foriegn minister of south korea is", "Kang Kyung-wha"),
        ("r the nk border guards allowed to shoot ppl", "orders to shoot"),
    ],
)
def test_questions_typed_the_way_members_type_find_the_answer(article: QuoteEngine, question: str, expected: str) -> None:
    answer = article.ask(question)
    assert answer.answered and expected in answer.quote


@pytest.mark.parametrize("question", ["What is the capital of France?", "How do I reset my Discord password?"])
def test_off_topic_questions_are_declined_with_a_low_confidence(article: QuoteEngine, question: str) -> None:
    answer = article.ask(question)
    assert answer.outcome is Outcome.DECLINED and not answer.answered and answer.quote is None
    assert answer.confidence < 0.2


@pytest.mark.parametrize("question", ["How many defectors went to Japan in 2019?", "When did the Korean War end?"])
def test_on_topic_questions_the_article_does_not_answer_are_not_answered_confidently(
    article: QuoteEngine, question: str
) -> None:
    answer = article.ask(question)
    assert answer.outcome in (Outcome.UNSURE, Outcome.DECLINED)
    assert answer.confidence < 0.5
    assert answer.to_json()["outcome"] == answer.outcome.value
    assert answer.to_json()["answered"] is (answer.outcome is Outcome.UNSURE)


def test_a_confident_answer_carries_its_calibrated_confidence_in_the_json(article: QuoteEngine) -> None:
    answer = article.ask("What share of defectors had unknown whereabouts in 2015?")
    data = answer.to_json()
    assert data["outcome"] == "answered" and data["answered"] is True
    assert 0.6 < data["confidence"] <= 1.0
    assert "less than 3 percent" in data["quote"]

