"""A question never waits for the model to embed passages: without their vectors it is ranked by words alone."""

from __future__ import annotations

from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.answer.models import Ranking
from quotebot.retrieval.index.corpus_index import build_index
from quotebot.retrieval.index.passage_vectors import PassageVectors
from quotebot.retrieval.index.vector_store import VectorStore
from quotebot.retrieval.ingest.loader import load_folder
from quotebot.retrieval.ingest.shipped import SHIPPED_CORPUS
from tests.retrieval.embedders import CountingEmbedder

QUESTION = "How many defectors reached South Korea in 2019?"


def article_engines() -> tuple[QuoteEngine, QuoteEngine, CountingEmbedder]:
    """The shipped article without vectors yet (semantic model on), and by words alone."""
    index = build_index(load_folder(SHIPPED_CORPUS).documents)
    embedder = CountingEmbedder()
    vectors = PassageVectors(index.passages, VectorStore([], embedder.identity, embedder.dimension), embedder)
    return QuoteEngine(index, vectors), QuoteEngine(index), embedder


def test_candidates_without_vectors_are_answered_by_words_alone_at_once_and_asked_for_first() -> None:
    engine, lexical, embedder = article_engines()
    answer = engine.ask(QUESTION)
    assert answer.ranking is Ranking.LEXICAL
    assert embedder.texts == 0  # not even the question: its vector would not be used
    # The lexical path's own answer and calibrated confidence, not a semantic one with holes.
    alone = lexical.ask(QUESTION)
    assert (answer.quote, answer.outcome, answer.confidence) == (alone.quote, alone.outcome, alone.confidence)
    assert "1,047" in (answer.quote or "")
    assert answer.to_json()["ranking"] == "lexical"
    requested = engine.vectors.take_requested(100)  # type: ignore[union-attr]
    assert answer.hits[0].passage in [engine.passages[p] for p in requested]


def test_once_its_candidates_have_vectors_the_same_question_is_ranked_by_meaning_too() -> None:
    engine, _, embedder = article_engines()
    engine.ask(QUESTION)
    vectors = engine.vectors
    assert vectors is not None
    vectors.ensure(vectors.take_requested(100))
    calls = len(embedder.calls)
    answer = engine.ask(QUESTION)
    assert answer.ranking is Ranking.SEMANTIC
    # At most the question's own text (its vector may be kept from an earlier question), no passage.
    assert [len(call) for call in embedder.calls[calls:]] in ([], [1])
    assert "1,047" in (answer.quote or "")
    assert answer.to_json()["ranking"] == "semantic"
