"""Documents to a searchable index: passages, their terms and the BM25 postings.

Kept apart from answering so that building (slow, done once per reload, off
the event loop) and answering (fast, per question) can change independently.

Splitting and tokenizing are nearly all of a build's time, so a rebuild
redoes them only for documents whose content changed: the passages and term
occurrences of the others are taken from the previous index, and only the
BM25 matrix, whose idf and average length depend on every passage, is
recomputed from all of them, with array operations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from quotebot.retrieval.index.bm25 import SparseBM25, term_occurrences
from quotebot.retrieval.index.fields import passage_terms
from quotebot.retrieval.ingest.models import Document, Passage
from quotebot.retrieval.ingest.passages import split_document


@dataclass(frozen=True, eq=False)
class CorpusIndex:
    """Everything retrieval reads, immutable once built.

    The passages of ``documents[i]`` are
    ``passages[document_offsets[i]:document_offsets[i + 1]]``.
    """

    documents: tuple[Document, ...]
    passages: Sequence[Passage]
    bm25: SparseBM25
    document_offsets: tuple[int, ...]

    def passage_range(self, position: int) -> range:
        """Positions of the passages of ``documents[position]``."""
        return range(self.document_offsets[position], self.document_offsets[position + 1])


def build_index(documents: Sequence[Document], previous: CorpusIndex | None = None) -> CorpusIndex:
    """Split, analyse and index ``documents``; raises ``ValueError`` when they hold no text.

    Documents with the same id and fingerprint as in ``previous`` are not
    split or tokenized again; the result is the same as a full build.
    """
    reusable = _reusable(previous)
    kept: list[Document] = []
    passages: list[Passage] = []
    offsets = [0]
    moves: list[tuple[range, int]] = []
    fresh: list[list[str]] = []
    fresh_positions: list[int] = []
    for document in documents:
        reuse = reusable.get((document.id, document.fingerprint))
        if reuse is None:
            new_passages: Sequence[Passage] = split_document(document)
            fresh_positions.extend(range(len(passages), len(passages) + len(new_passages)))
            fresh.extend(passage_terms(passage) for passage in new_passages)
            kept.append(document)
        else:
            old_document, span, old_passages = reuse
            new_passages = old_passages[span.start:span.stop]
            moves.append((span, len(passages)))
            kept.append(old_document)
        passages.extend(new_passages)
        offsets.append(len(passages))
    if not passages:
        raise ValueError("the documents hold no text to index")
    reused = _moved_occurrences(previous, moves) if previous is not None and moves else None
    return CorpusIndex(
        documents=tuple(kept),
        passages=tuple(passages),
        bm25=_merged_bm25(reused, fresh, fresh_positions, len(passages)),
        document_offsets=tuple(offsets),
    )


def _reusable(previous: CorpusIndex | None) -> dict[tuple[str, str], tuple[Document, range, Sequence[Passage]]]:
    """Each previous document that has a fingerprint, by (id, fingerprint): itself, its passages' span, and them all."""
    if previous is None:
        return {}
    return {
        (document.id, document.fingerprint): (document, previous.passage_range(position), previous.passages)
        for position, document in enumerate(previous.documents)
        if document.fingerprint
    }


def _moved_occurrences(
    old: CorpusIndex, moves: list[tuple[range, int]]
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """The old vocabulary and the (term id, new position) of every occurrence in the reused passages."""
    renumber = np.full(len(old.passages), -1, dtype=np.int64)
    for span, start in moves:
        renumber[span.start:span.stop] = np.arange(start, start + len(span))
    term_ids, passages = old.bm25.occurrences()
    keep = renumber[passages] >= 0
    return old.bm25.terms, term_ids[keep], renumber[passages[keep]]


def _merged_bm25(
    reused: tuple[tuple[str, ...], np.ndarray, np.ndarray] | None,
    fresh: list[list[str]],
    fresh_positions: list[int],
    passage_count: int,
) -> SparseBM25:
    """One BM25 matrix over the reused occurrences and the fresh passages' terms, in one sorted vocabulary."""
    old_terms, old_term_ids, old_passages = reused or ((), np.empty(0, np.int64), np.empty(0, np.int64))
    terms = sorted(set(old_terms).union(chain.from_iterable(fresh)))
    vocabulary = {term: i for i, term in enumerate(terms)}
    term_ids, owners = term_occurrences(fresh, vocabulary)
    old_to_new = np.fromiter(map(vocabulary.__getitem__, old_terms), dtype=np.int64, count=len(old_terms))
    return SparseBM25.from_occurrences(
        terms,
        np.concatenate([old_to_new[old_term_ids], term_ids]),
        np.concatenate([old_passages, np.asarray(fresh_positions, dtype=np.int64)[owners]]),
        passage_count,
    )
