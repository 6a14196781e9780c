"""Incremental rebuilds: only changed documents are split and tokenized, and the result equals a full build."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from quotebot.retrieval.index import analysis
from quotebot.retrieval.index.corpus_index import CorpusIndex, build_index
from quotebot.retrieval.ingest.models import Document

BM25_ARRAYS = ("offsets", "passage_ids", "frequencies", "lengths", "approximate")


def document(name: str, body: str, title: str | None = None) -> Document:
    return Document(
        id=f"{name}.md", title=title or name.title(), body=body, fingerprint=hashlib.sha256(body.encode()).hexdigest()
    )


def paragraphs(topic: str, count: int) -> str:
    return "\n\n".join(
        f"## {topic.title()} part {n}\n\nThe {topic} report number {n} describes {topic} events in region {n} "
        f"during the year {2000 + n}, with {n * 7} cases counted by the {topic} office."
        for n in range(1, count + 1)
    )


def assert_same_index(left: CorpusIndex, right: CorpusIndex) -> None:
    assert left.documents == right.documents
    assert list(left.passages) == list(right.passages)
    assert left.document_offsets == right.document_offsets
    assert left.bm25.terms == right.bm25.terms
    for name in BM25_ARRAYS:
        np.testing.assert_array_equal(getattr(left.bm25, name), getattr(right.bm25, name))
    for name, array in left.sentences.arrays().items():
        np.testing.assert_array_equal(array, right.sentences.arrays()[name])
    for name in ("document_offsets", "starts", "ends", "paragraphs", "section_ids"):
        np.testing.assert_array_equal(getattr(left.passages, name), getattr(right.passages, name))
    assert left.passages.sections == right.passages.sections


@pytest.fixture
def split_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the documents ``build_index`` splits (and therefore tokenizes)."""
    calls: list[str] = []
    real = analysis.split_document

    def counting(document: Document):  # type: ignore[no-untyped-def]
        calls.append(document.id)
        return real(document)

    monkeypatch.setattr(analysis, "split_document", counting)
    return calls


def test_incremental_rebuild_reuses_unchanged_documents_and_equals_a_full_build(split_calls: list[str]) -> None:
    before = [document("alpha", paragraphs("flood", 3)), document("beta", paragraphs("drought", 2)),
              document("gamma", paragraphs("harvest", 4))]
    previous = build_index(before)
    after = [before[0], document("beta", paragraphs("drought", 3)), document("delta", paragraphs("storm", 2))]
    split_calls.clear()

    incremental = build_index(after, previous)

    assert split_calls == ["beta.md", "delta.md"]  # alpha reused, gamma removed
    assert incremental.passages[0] == previous.passages[0]
    assert_same_index(incremental, build_index(after))


def test_rebuild_with_nothing_changed_splits_nothing(split_calls: list[str]) -> None:
    documents = [document("alpha", paragraphs("flood", 2)), document("beta", paragraphs("drought", 2))]
    previous = build_index(documents)
    split_calls.clear()
    assert_same_index(build_index(documents, previous), previous)
    assert split_calls == []


def test_a_document_without_fingerprint_is_always_rebuilt(split_calls: list[str]) -> None:
    unhashed = Document(id="raw.md", title="Raw", body=paragraphs("flood", 1))
    previous = build_index([unhashed])
    split_calls.clear()
    build_index([unhashed], previous)
    assert split_calls == ["raw.md"]


def test_a_term_that_only_a_removed_document_had_leaves_the_vocabulary() -> None:
    previous = build_index([document("alpha", paragraphs("flood", 2)), document("beta", paragraphs("drought", 2))])
    rebuilt = build_index(previous.documents[:1], previous)
    assert "drought" in previous.bm25.vocabulary and "drought" not in rebuilt.bm25.vocabulary
    assert rebuilt.bm25.top(["drought"], 5) == []


def test_passages_of_each_document_are_found_by_its_offsets() -> None:
    index = build_index([document("alpha", paragraphs("flood", 2)), document("beta", paragraphs("drought", 3))])
    offsets = index.document_offsets
    for position, doc in enumerate(index.documents):
        passages = range(offsets[position], offsets[position + 1])
        assert {index.passages[i].document.id for i in passages} == {doc.id}
    assert index.document_offsets[-1] == len(index.passages)


def test_documents_without_text_are_refused() -> None:
    with pytest.raises(ValueError, match="no text"):
        build_index([document("empty", "## Only a heading")])


def test_each_passages_sentences_are_stored_with_their_terms() -> None:
    index = build_index([document("alpha", "The flood came in 2019. Mr. Kim left the U.S. for good.\n\nA dam was built.")])
    first = index.passages[0]
    spans = index.sentences.spans(0)
    assert [first.text[a:b] for a, b in spans] == ["The flood came in 2019.", "Mr. Kim left the U.S. for good.", "A dam was built."]
    terms = index.bm25.terms
    assert [[terms[i] for i in index.sentences.sentence_terms(s)] for s in index.sentences.sentence_range(0)] == [
        ["flood", "came", "2019"], ["mr", "kim", "left", "us", "good"], ["dam", "built"]
    ]
