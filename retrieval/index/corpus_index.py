"""Documents to a searchable index: passages, their sentences and terms, and the BM25 postings.

Kept apart from answering so that building (slow, done once per reload, off
the event loop) and answering (fast, per question) can change independently.

Splitting and analysing are nearly all of a build's time, so they run on
every core (``parallel``), and a rebuild does them only for documents whose
content changed: the passages, sentences and term occurrences of the others
are taken from the previous index, and only the BM25 matrix, whose idf and
average length depend on every passage, is recomputed from all of them,
with array operations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from quotebot.retrieval.index.analysis import AnalysedDocuments, Numbering
from quotebot.retrieval.index.bm25 import SparseBM25
from quotebot.retrieval.index.parallel import analyse_in_batches
from quotebot.retrieval.index.passage_table import PassageTable
from quotebot.retrieval.index.sentence_table import SentenceTable, ranges
from quotebot.retrieval.index.tokens import remember
from quotebot.retrieval.ingest.models import Document


@dataclass(frozen=True, eq=False)
class CorpusIndex:
    """Everything retrieval reads, immutable once built.

    ``sentences`` holds the passages' sentences, with term ids into ``bm25.terms``.
    """

    passages: PassageTable
    bm25: SparseBM25
    sentences: SentenceTable

    @property
    def documents(self) -> tuple[Document, ...]:
        return self.passages.documents

    @property
    def document_offsets(self) -> tuple[int, ...]:
        """The passages of ``documents[i]`` are ``passages[document_offsets[i]:document_offsets[i + 1]]``."""
        return tuple(self.passages.document_offsets.tolist())

    @cached_property
    def number_terms(self) -> np.ndarray:
        """Which terms of ``bm25.terms`` are numbers (start with a digit), for questions that ask for one."""
        return np.fromiter((term[:1].isdigit() for term in self.bm25.terms), dtype=bool, count=len(self.bm25.terms))


def build_index(documents: Sequence[Document], previous: CorpusIndex | None = None) -> CorpusIndex:
    """Split, analyse and index ``documents``; raises ``ValueError`` when they hold no text.

    Documents with the same id and fingerprint as in ``previous`` are not
    split or analysed again; the result is the same as a full build.
    """
    reusable = _reusable(previous)
    reused = [reusable.get((document.id, document.fingerprint)) for document in documents]
    fresh = [document for document, old in zip(documents, reused) if old is None]
    kept = tuple(document if old is None else old[0] for document, old in zip(documents, reused))
    merged = _Merge()
    for batch in analyse_in_batches(fresh):
        merged.add(batch)
    if previous is not None:
        old_positions = [old[1] for old in reused if old is not None]
        merged.add_previous(previous, old_positions)
    return merged.index(kept, [old is not None for old in reused])


def _reusable(previous: CorpusIndex | None) -> dict[tuple[str, str], tuple[Document, int]]:
    """Each previous document that has a fingerprint, by (id, fingerprint): itself and its position."""
    if previous is None:
        return {}
    return {
        (document.id, document.fingerprint): (document, position)
        for position, document in enumerate(previous.documents)
        if document.fingerprint
    }


class _Merge:
    """Batches of analysed documents and documents taken from a previous index, made into one index.

    Fresh documents' parts are collected in the order the batches come, the
    previous index's after them; ``index`` puts every document back in its
    place. A million passages hold ~65M term occurrences, so they are kept
    once: a batch's sentence terms only in its sentence table (its field
    terms apart), all as int32.
    """

    def __init__(self) -> None:
        self.terms: list[str] = []
        self.vocabulary: dict[str, int] = Numbering(self.terms)
        # For each batch vocabulary (a worker's numbering), the merge-wide number of each of its terms.
        self.numberings: dict[str, np.ndarray] = {}
        self.passage_counts: list[np.ndarray] = []
        self.columns: dict[str, list[np.ndarray]] = {name: [] for name in _PASSAGE_COLUMNS}
        self.sections: list[str | None] = []
        # Sentence tables, where each starts (in merge order), and whether its terms count as occurrences.
        self.tables: list[tuple[SentenceTable, int, bool]] = []
        self.occurrences: list[tuple[np.ndarray, np.ndarray]] = []  # (term id, passage in merge order)
        # The previous index, each of its passages' merge position (-1: dropped) and its terms' merge numbers.
        self.previous: tuple[SparseBM25, np.ndarray, np.ndarray] | None = None
        self.passage_total = 0

    def add(self, batch: AnalysedDocuments) -> None:
        remember(batch.words)
        known = self.numberings.get(batch.vocabulary, np.empty(0, dtype=np.int32))
        if len(known) != batch.first_term:
            raise RuntimeError("a worker's batches arrived out of order")
        local = self.numberings[batch.vocabulary] = np.concatenate([known, self._term_numbers(batch.terms)])
        term_ids = local[batch.term_ids]
        own = batch.own_terms()
        passages = len(batch.starts)
        self.passage_counts.append(batch.passage_counts.astype(np.int64))
        for name in _PASSAGE_COLUMNS:
            self.columns[name].append(getattr(batch, name).astype(np.int64))
        self.sections.extend(batch.sections)
        spans = np.column_stack([batch.sentence_starts, batch.sentence_ends])
        table = SentenceTable.from_counts(batch.sentence_counts, spans, batch.sentence_term_counts, term_ids[own])
        self.tables.append((table, self.passage_total, True))
        field_owners = np.repeat(
            np.arange(self.passage_total, self.passage_total + passages, dtype=np.int32), batch.field_term_counts
        )
        self.occurrences.append((term_ids[~own], field_owners))
        self.passage_total += passages

    def add_previous(self, previous: CorpusIndex, positions: Sequence[int]) -> None:
        """Take the documents at ``positions`` of ``previous`` as they are, after the batches."""
        table = previous.passages
        rows = np.concatenate([np.arange(*_bounds(table, p)) for p in positions]) if positions else _none()
        local = self._term_numbers(list(previous.bm25.terms))
        self.passage_counts.append(np.diff(table.document_offsets)[list(positions)].astype(np.int64))
        self.columns["starts"].append(table.starts[rows])
        self.columns["ends"].append(table.ends[rows])
        self.columns["paragraphs"].append(table.paragraphs[rows])
        section_ids = table.section_ids[rows]
        self.sections.extend(None if s < 0 else table.sections[s] for s in section_ids.tolist())
        self.tables.append((previous.sentences.select(rows, local), self.passage_total, False))
        moved = np.full(len(table), -1, dtype=np.int64)
        moved[rows] = np.arange(self.passage_total, self.passage_total + len(rows))
        self.previous = (previous.bm25, moved, local)
        self.passage_total += len(rows)

    def index(self, documents: tuple[Document, ...], from_previous: list[bool]) -> CorpusIndex:
        if not self.passage_total:
            raise ValueError("the documents hold no text to index")
        # Merge order: fresh documents in order, then previous ones in order; ``order`` is each
        # passage's merge position, taken in the documents' own order.
        counts = np.concatenate(self.passage_counts) if self.passage_counts else _none()
        document_merge_order = np.argsort(np.array(from_previous, dtype=bool), kind="stable")
        document_counts = np.empty(len(documents), dtype=np.int64)
        document_counts[document_merge_order] = counts
        merge_starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if len(counts) else _none()
        document_starts = np.empty(len(documents), dtype=np.int64)
        document_starts[document_merge_order] = merge_starts
        order = ranges(document_starts, document_counts)
        in_place = bool(np.array_equal(order, np.arange(len(order))))
        position = np.empty(len(order), dtype=np.int32)
        position[order] = np.arange(len(order), dtype=np.int32)

        # Terms no passage has (a removed document's) leave; the rest are numbered in sorted order,
        # renumbered in place: the tables' term ids are most of a build's memory.
        counted = [(table, start) for table, start, counts in self.tables if counts]
        used = np.zeros(len(self.terms), dtype=bool)
        for ids in [ids for ids, _ in self.occurrences] + [table.term_ids for table, _ in counted]:
            used[ids] = True
        if self.previous is not None:
            old, moved, local = self.previous
            # The old terms that a kept passage still has.
            held = np.add.reduceat((moved[old.passage_ids] >= 0).astype(np.int64), old.offsets[:-1]) > 0
            used[local[held]] = True
        kept = sorted(np.flatnonzero(used).tolist(), key=self.terms.__getitem__)
        renumber = np.full(len(self.terms), -1, dtype=np.int32)
        renumber[kept] = np.arange(len(kept), dtype=np.int32)
        for table, _, _ in self.tables:
            np.take(renumber, table.term_ids, out=table.term_ids)
        parts = []
        for ids, passages in self.occurrences:
            np.take(renumber, ids, out=ids)
            parts.append((ids, passages))
        parts.extend((table.term_ids, _sentence_passages(table, start)) for table, start in counted)
        if not in_place:
            parts = [(ids, position[passages]) for ids, passages in parts]
        self.occurrences.clear()
        previous = None
        if self.previous is not None:
            old, moved, local = self.previous
            final = np.where(moved >= 0, position[np.maximum(moved, 0)], -1)
            previous = old.kept_postings(final, renumber[local], len(order))
        bm25 = SparseBM25.from_parts([self.terms[i] for i in kept], parts, len(order), kept=previous)
        del parts, previous

        # Sections are numbered in reading order, so equal corpora give equal arrays however built.
        in_order = [self.sections[i] for i in order.tolist()]
        sections = tuple(dict.fromkeys(s for s in in_order if s is not None))
        section_numbers = {section: i for i, section in enumerate(sections)}
        section_ids = np.array([-1 if s is None else section_numbers[s] for s in in_order], dtype=np.int64)
        columns = {name: np.concatenate(parts)[order] for name, parts in self.columns.items()}
        passages = PassageTable(
            documents=documents,
            document_offsets=np.concatenate([[0], np.cumsum(document_counts)]).astype(np.int64),
            starts=columns["starts"],
            ends=columns["ends"],
            paragraphs=columns["paragraphs"],
            section_ids=section_ids,
            sections=sections,
        )
        sentences = SentenceTable.concatenate([table for table, _, _ in self.tables])
        self.tables.clear()
        return CorpusIndex(passages, bm25, sentences if in_place else sentences.select(order))

    def _term_numbers(self, terms: list[str]) -> np.ndarray:
        """Merge-wide numbers of ``terms`` (a batch's or a previous index's vocabulary), adding new ones."""
        return np.fromiter(map(self.vocabulary.__getitem__, terms), dtype=np.int32, count=len(terms))


def _sentence_passages(table: SentenceTable, start: int) -> np.ndarray:
    """For each term id of a sentence table, its passage's merge position (the table's first passage is ``start``)."""
    sentence_passages = np.repeat(
        np.arange(start, start + table.passage_count, dtype=np.int32), np.diff(table.passage_offsets)
    )
    return np.repeat(sentence_passages, np.diff(table.term_offsets))


_PASSAGE_COLUMNS = ("starts", "ends", "paragraphs")


def _bounds(table: PassageTable, document: int) -> tuple[int, int]:
    return int(table.document_offsets[document]), int(table.document_offsets[document + 1])


def _none() -> np.ndarray:
    return np.empty(0, dtype=np.int64)
