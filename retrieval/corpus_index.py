"""Documents to a searchable index: passages, their terms and the BM25 postings.

Kept apart from answering so that building (slow, done once per reload, off
the event loop) and answering (fast, per question) can change independently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.bm25 import SparseBM25
from retrieval.fields import passage_terms
from retrieval.models import Document, Passage
from retrieval.passages import split_document


@dataclass(frozen=True)
class CorpusIndex:
    """Everything retrieval reads, immutable once built."""

    documents: tuple[Document, ...]
    passages: tuple[Passage, ...]
    bm25: SparseBM25


def build_index(documents: Sequence[Document]) -> CorpusIndex:
    """Split, analyse and index ``documents``; raises ``ValueError`` when they hold no text."""
    passages = tuple(passage for document in documents for passage in split_document(document))
    if not passages:
        raise ValueError("the documents hold no text to index")
    return CorpusIndex(
        documents=tuple(documents),
        passages=passages,
        bm25=SparseBM25.build([passage_terms(passage) for passage in passages]),
    )
