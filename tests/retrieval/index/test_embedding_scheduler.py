"""The embedding worker: what questions asked for first, fair between corpora, and never stopped by one failure."""

from __future__ import annotations

import time

from quotebot.retrieval.index.embedding_scheduler import EmbeddingScheduler
from quotebot.retrieval.index.passage_vectors import PassageVectors
from quotebot.retrieval.index.vector_store import VectorStore
from quotebot.retrieval.ingest.models import Document, Passage
from tests.retrieval.embedders import CountingEmbedder


def passages(name: str, count: int) -> list[Passage]:
    texts = [f"The {name} harbour keeps boat number {n} at pier {n % 7}." for n in range(count)]
    document = Document(id=f"{name}.md", title=name, body="\n\n".join(texts))
    return [Passage(f"{name}.md#{n}", document, None, n, 0, len(text), text) for n, text in enumerate(texts)]


def vectors_of(name: str, count: int, embedder: CountingEmbedder) -> PassageVectors:
    return PassageVectors(passages(name, count), VectorStore([], embedder.identity, embedder.dimension), embedder)


def test_a_small_corpus_is_not_starved_by_a_large_one_followed_before_it() -> None:
    embedder = CountingEmbedder(delay=0.02)
    large, small = vectors_of("large", 400, embedder), vectors_of("small", 16, embedder)
    scheduler = EmbeddingScheduler(cores=1, batch=4)
    scheduler.follow("large", large)
    scheduler.follow("small", small)
    try:
        assert scheduler.wait("small", timeout=60)
        # Turns alternate: the large corpus got about as many batches as the small one needed, not all of its own.
        assert large.ready_count <= 16 + 3 * 4
        assert not large.complete
    finally:
        scheduler.stop()


def test_passages_a_question_asked_for_come_before_the_rest() -> None:
    embedder = CountingEmbedder(delay=0.02)
    vectors = vectors_of("wiki", 200, embedder)
    scheduler = EmbeddingScheduler(cores=1, batch=4)
    vectors.request([197, 198, 199])
    scheduler.follow("wiki", vectors)
    try:
        deadline = time.monotonic() + 30
        while not all(vectors.is_ready(p) for p in (197, 198, 199)) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert all(vectors.is_ready(p) for p in (197, 198, 199))
        assert vectors.ready_count <= 3 + 4  # at most one other batch went before them
    finally:
        scheduler.stop()


def test_a_recently_asked_corpus_is_embedded_before_one_nobody_asked(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    embedder = CountingEmbedder(delay=0.02)
    quiet, busy = vectors_of("quiet", 200, embedder), vectors_of("busy", 40, embedder)
    scheduler = EmbeddingScheduler(cores=1, batch=4)
    scheduler.follow("quiet", quiet)
    scheduler.follow("busy", busy)
    # Nobody has asked the quiet corpus anything for an hour.
    monkeypatch.setattr(scheduler._targets["quiet"], "asked_at", time.monotonic() - 3600)
    scheduler.asked("busy")
    before = quiet.ready_count
    try:
        assert scheduler.wait("busy", timeout=60)
        assert quiet.ready_count <= before + 4  # at most the batch it was in the middle of
    finally:
        scheduler.stop()


def test_one_corpus_the_model_fails_on_leaves_the_others_embedding(caplog) -> None:  # type: ignore[no-untyped-def]
    embedder = CountingEmbedder(fail_on="broken")
    broken, fine = vectors_of("broken", 8, embedder), vectors_of("fine", 8, embedder)
    scheduler = EmbeddingScheduler(cores=1, batch=4)
    scheduler.follow("broken", broken)
    scheduler.follow("fine", fine)
    try:
        assert scheduler.wait(timeout=60)
        assert fine.complete and not broken.complete
        assert "embedding corpus broken failed" in caplog.text
        assert scheduler.backlog().corpora_embedding == 0
    finally:
        scheduler.stop()


def test_the_backlog_counts_what_is_left_over_every_corpus() -> None:
    embedder = CountingEmbedder()
    first, second = vectors_of("first", 6, embedder), vectors_of("second", 4, embedder)
    first.ensure([0, 1])
    scheduler = EmbeddingScheduler(cores=1)
    with scheduler.answering():  # the worker holds back while a question is answered
        scheduler.follow("first", first)
        scheduler.follow("second", second)
        backlog = scheduler.backlog()
        assert (backlog.total, backlog.corpora_embedding) == (10, 2)
        assert backlog.ready >= 2
    try:
        assert scheduler.wait(timeout=60)
        assert scheduler.backlog().missing == 0 and scheduler.backlog("first").total == 6
    finally:
        scheduler.stop()


def test_a_batch_is_split_over_the_cores_when_no_question_is_being_answered() -> None:
    embedder = CountingEmbedder()
    vectors = vectors_of("wiki", 8, embedder)
    scheduler = EmbeddingScheduler(cores=2, batch=8)
    scheduler.follow("wiki", vectors)
    try:
        assert scheduler.wait("wiki", timeout=60)
        # Two calls of four passages (each with its one sentence), side by side.
        assert sorted(len(call) for call in embedder.calls) == [8, 8]
    finally:
        scheduler.stop()
