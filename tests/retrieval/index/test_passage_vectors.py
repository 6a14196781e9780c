"""A snapshot's passage vectors: found in the store, embedded on request, searched by meaning."""

from __future__ import annotations

import pytest

from quotebot.retrieval.index import passage_vectors
from quotebot.retrieval.index.passage_vectors import PassageVectors
from quotebot.retrieval.index.vector_store import VectorStore
from quotebot.retrieval.ingest.models import Document, Passage
from tests.retrieval.embedders import CountingEmbedder

TEXTS = [
    "Zebrafish spawn at dawn. The eggs hatch within three days.",
    "The harbour crane lifts containers from the ships. It was built in 1962.",
    "North Korean defectors earn less than South Koreans. The gap is about $500 a month.",
    "The lighthouse guides fishermen home at night.",
]



def _passages() -> list[Passage]:
    """One passage per text (split_document would merge such short paragraphs)."""
    body = "\n\n".join(TEXTS)
    document = Document(id="notes.md", title="Notes", body=body)
    starts = [body.index(text) for text in TEXTS]
    return [
        Passage(f"notes.md#{n}", document, None, n, start, start + len(text), text)
        for n, (start, text) in enumerate(zip(starts, TEXTS), start=1)
    ]


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


def test_passages_are_embedded_once_and_found_in_the_store_by_the_next_snapshot(embedder: CountingEmbedder) -> None:
    store = VectorStore([], embedder.identity, embedder.dimension)
    first = PassageVectors(_passages(), store, embedder)
    assert first.ready_count == 0 and first.missing() == list(range(first.total))

    first.ensure([1, 2])
    # Each passage and each of its sentences: 3 texts per passage here.
    assert embedder.texts == 6 and first.ready_count == 2 and first.missing() == [0, 3]

    second = PassageVectors(_passages(), store, embedder)
    assert second.ready_count == 2
    second.ensure(range(second.total))
    assert embedder.texts == 6 + 3 + 2 and second.complete


def test_nearest_finds_the_passage_that_means_the_question(embedder: CountingEmbedder) -> None:
    vectors = PassageVectors(_passages(), VectorStore([], embedder.identity, embedder.dimension), embedder)
    vectors.ensure(range(vectors.total))
    question = embedder.embed(["How much money do refugees from the North make?"])[0]
    assert vectors.nearest(question, 1) == [2]
    cosines = vectors.sentence_cosines(question, 2)
    assert cosines is not None and cosines.shape == (2,)
    assert cosines[1] > cosines[0] - 0.3  # the "$500 a month" sentence is at least close to the best


def test_the_sign_prefilter_finds_the_same_nearest_passages(embedder: CountingEmbedder, monkeypatch) -> None:
    vectors = PassageVectors(_passages(), VectorStore([], embedder.identity, embedder.dimension), embedder)
    vectors.ensure(range(vectors.total))
    question = embedder.embed(["when does the crane date from"])[0]
    exact = vectors.nearest(question, 2)
    monkeypatch.setattr(passage_vectors, "PREFILTER", 2)
    assert vectors.nearest(question, 2) == exact


def test_passages_without_vectors_are_never_returned(embedder: CountingEmbedder) -> None:
    vectors = PassageVectors(_passages(), VectorStore([], embedder.identity, embedder.dimension), embedder)
    question = embedder.embed(["fish eggs"])[0]
    assert vectors.nearest(question, 3) == []
    vectors.ensure([3])
    assert vectors.nearest(question, 3) == [3]
    assert vectors.sentence_cosines(question, 0) is None
    assert vectors.passage_cosines(question, [0, 3])[0] == 0.0
