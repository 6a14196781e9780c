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
from functools import cached_property
from itertools import chain

import numpy as np

from quotebot.retrieval.index.bm25 import SparseBM25, term_occurrences
from quotebot.retrieval.index.fields import AnalysedPassage, analyse_passage
from quotebot.retrieval.index.sentence_table import SentenceTable
from quotebot.retrieval.ingest.models import Document, Passage
from quotebot.retrieval.ingest.passages import split_document


@dataclass(frozen=True, eq=False)
class CorpusIndex:
    """Everything retrieval reads, immutable once built.

    The passages of ``documents[i]`` are
    ``passages[document_offsets[i]:document_offsets[i + 1]]``; ``sentences``
    holds their sentences, with term ids into ``bm25.terms``.
    """

    documents: tuple[Document, ...]
    passages: Sequence[Passage]
    bm25: SparseBM25
    sentences: SentenceTable
    document_offsets: tuple[int, ...]

    def passage_range(self, position: int) -> range:
        """Positions of the passages of ``documents[position]``."""
        return range(self.document_offsets[position], self.document_offsets[position + 1])

    @cached_property
    def number_terms(self) -> np.ndarray:
        """Which terms of ``bm25.terms`` are numbers (start with a digit), for questions that ask for one."""
        return np.fromiter((term[:1].isdigit() for term in self.bm25.terms), dtype=bool, count=len(self.bm25.terms))


def build_index(documents: Sequence[Document], previous: CorpusIndex | None = None) -> CorpusIndex:
    """Split, analyse and index ``documents``; raises ``ValueError`` when they hold no text.

    Documents with the same id and fingerprint as in ``previous`` are not
    split or tokenized again; the result is the same as a full build.
    """
    reusable = _reusable(previous)
    kept: list[Document] = []
    passages: list[Passage] = []
    offsets = [0]
    # Where each passage's data comes from: >= 0 a previous passage, < 0 the fresh one numbered ~value.
    sources: list[int] = []
    fresh: list[AnalysedPassage] = []
    for document in documents:
        reuse = reusable.get((document.id, document.fingerprint))
        if reuse is None:
            new_passages: Sequence[Passage] = split_document(document)
            sources.extend(~n for n in range(len(fresh), len(fresh) + len(new_passages)))
            fresh.extend(analyse_passage(passage) for passage in new_passages)
            kept.append(document)
        else:
            old_document, span, old_passages = reuse
            new_passages = old_passages[span.start:span.stop]
            sources.extend(span)
            kept.append(old_document)
        passages.extend(new_passages)
        offsets.append(len(passages))
    if not passages:
        raise ValueError("the documents hold no text to index")
    bm25, sentences = _merged(previous, np.asarray(sources, dtype=np.int64), fresh)
    return CorpusIndex(
        documents=tuple(kept),
        passages=tuple(passages),
        bm25=bm25,
        sentences=sentences,
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


def _merged(
    previous: CorpusIndex | None, sources: np.ndarray, fresh: list[AnalysedPassage]
) -> tuple[SparseBM25, SentenceTable]:
    """The BM25 matrix and sentence table of passages taken from ``previous`` (``sources >= 0``) or ``fresh``.

    Only the fresh passages' terms are looked up as strings; the reused ones
    keep their term ids, renumbered into the merged vocabulary.
    """
    reused = np.flatnonzero(sources >= 0)
    old_terms: tuple[str, ...] = previous.bm25.terms if previous is not None and reused.size else ()
    fresh_terms = [analysed.terms() for analysed in fresh]
    terms = sorted(set(old_terms).union(chain.from_iterable(fresh_terms)))
    vocabulary = {term: i for i, term in enumerate(terms)}
    old_to_new = np.fromiter(map(vocabulary.__getitem__, old_terms), dtype=np.int64, count=len(old_terms))

    fresh_ids, fresh_owners = term_occurrences(fresh_terms, vocabulary)
    old_ids, old_owners = _moved_occurrences(previous, sources[reused], reused) if old_terms else (_none(), _none())
    fresh_positions = np.flatnonzero(sources < 0)
    term_ids = np.concatenate([old_to_new[old_ids], fresh_ids])
    owners = np.concatenate([old_owners, fresh_positions[fresh_owners]])

    # Terms only removed passages had leave the vocabulary; renumber the rest densely.
    used = np.bincount(term_ids, minlength=len(terms)) > 0
    renumber = np.cumsum(used) - 1
    bm25 = SparseBM25.from_occurrences(
        [term for term, keep in zip(terms, used.tolist()) if keep], renumber[term_ids], owners, len(sources)
    )
    # A fresh passage's terms are its sentences' terms followed by its field terms.
    sentence_sizes = [[len(sentence) for sentence in analysed.sentence_terms] for analysed in fresh]
    own_sizes = [[sum(sizes), len(analysed.field_terms)] for sizes, analysed in zip(sentence_sizes, fresh)]
    own = np.repeat(np.tile([True, False], len(fresh)), list(chain.from_iterable(own_sizes)))
    fresh_table = SentenceTable.from_spans(
        [analysed.spans for analysed in fresh], list(chain.from_iterable(sentence_sizes)), renumber[fresh_ids[own]]
    )
    if not old_terms:
        return bm25, fresh_table
    assert previous is not None
    old_table = previous.sentences.select(sources[reused], renumber[old_to_new])
    # Old passages first, then fresh ones; ``order`` puts every passage back in its place.
    order = np.where(sources >= 0, np.cumsum(sources >= 0) - 1, reused.size + ~sources)
    return bm25, SentenceTable.concatenate([old_table, fresh_table]).select(order)


def _moved_occurrences(old: CorpusIndex, taken: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(old term id, new position) of every occurrence in the old passages ``taken``, moved to ``positions``."""
    renumber = np.full(len(old.passages), -1, dtype=np.int64)
    renumber[taken] = positions
    term_ids, passages = old.bm25.occurrences()
    keep = renumber[passages] >= 0
    return term_ids[keep], renumber[passages[keep]]


def _none() -> np.ndarray:
    return np.empty(0, dtype=np.int64)
