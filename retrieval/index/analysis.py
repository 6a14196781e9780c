"""Documents to the arrays an index is made of: passages, their sentences, and every term as an id.

This is the work of indexing (splitting, finding sentences, analysing words),
done on a batch of documents with nothing shared, so that batches can be
analysed in separate processes (``parallel``) and merged cheaply: a batch
names its terms in its own small vocabulary, and the merge renumbers them.

A passage is indexed with its section heading and its document's title, so a
question naming the topic of a section finds the passages filed under it even
when the paragraph itself never repeats the heading's words. Its own text is
analysed sentence by sentence, because answering asks which sentence holds
the question: a passage's terms are its sentences' terms in order (no word
spans two sentences, so that is what analysing the whole text gives; the
tests hold the two equal), then its heading's and title's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from quotebot.retrieval.index.tokens import collecting_words, piece_terms
from quotebot.retrieval.ingest.models import Document, Passage
from quotebot.retrieval.ingest.passages import split_document
from quotebot.retrieval.ingest.sentences import sentence_spans

# How many times the heading and title terms are added to a passage's own.
FIELD_REPEAT = 1
# Distinct pieces of text (words with their punctuation) whose term numbers a process remembers in a build.
_PIECES_REMEMBERED = 2_000_000


@dataclass(frozen=True)
class AnalysedDocuments:
    """A batch of documents, analysed.

    ``vocabulary`` names the numbering ``term_ids`` use: one per build and
    process, so that a worker numbers each term once for all its batches;
    ``terms`` are the terms it numbered first in this batch, from number
    ``first_term`` on. Per document: ``passage_counts``. Per passage (in order): ``starts``,
    ``ends`` (in the body), ``paragraphs``, ``sections`` (``None`` for none),
    ``sentence_counts`` and ``field_term_counts``. Per sentence:
    ``sentence_starts``/``sentence_ends`` (in the passage's text) and
    ``sentence_term_counts``. ``term_ids`` index ``terms``; a passage's are its
    sentences' terms followed by its field terms. ``words`` are the words the
    process analysed for the first time while doing this, with their terms
    (so that the process that merges batches knows them too).
    """

    vocabulary: str
    first_term: int
    terms: list[str]
    passage_counts: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    paragraphs: np.ndarray
    sections: list[str | None]
    sentence_counts: np.ndarray
    field_term_counts: np.ndarray
    sentence_starts: np.ndarray
    sentence_ends: np.ndarray
    sentence_term_counts: np.ndarray
    term_ids: np.ndarray
    words: list[tuple[str, tuple[str, ...]]]

    def own_terms(self) -> np.ndarray:
        """Which entries of ``term_ids`` are sentence terms (the others are field terms)."""
        sentence_terms = self._sentence_terms_per_passage()
        sizes = np.column_stack([sentence_terms, self.field_term_counts]).ravel()
        return np.repeat(np.tile([True, False], len(sentence_terms)), sizes)

    def _sentence_terms_per_passage(self) -> np.ndarray:
        if not len(self.sentence_counts):
            return np.zeros(0, dtype=np.int64)
        # Every passage has at least one sentence, so each run of sentences is non-empty.
        heads = np.concatenate([[0], np.cumsum(self.sentence_counts)[:-1]]).astype(np.int64)
        return np.add.reduceat(self.sentence_term_counts.astype(np.int64), heads)


def field_text(passage: Passage) -> str:
    """The text indexed with a passage besides its own: its section heading and its document's title."""
    return f"{passage.section or ''} {passage.document.title}"


def analyse_documents(documents: Sequence[Document], build: str) -> AnalysedDocuments:
    """Split ``documents`` into passages and sentences and turn every word into term ids.

    ``build`` names the build the batch belongs to: batches of one build
    analysed in one process share its numbering of terms.
    """
    global _numbering
    if _numbering is None or _numbering.build != build:
        _numbering = _ProcessNumbering(build)
    batch = _Batch(_numbering)
    with collecting_words() as words:
        for document in documents:
            passages = split_document(document)
            batch.passage_counts.append(len(passages))
            for passage in passages:
                batch.add(passage)
    return batch.result(words)


class _ProcessNumbering:
    """This process's numbering of terms for one build, and each distinct piece of text's term numbers."""

    def __init__(self, build: str) -> None:
        self.build = build
        self.name = f"{build}/{os.getpid()}"
        self.terms: list[str] = []
        self.vocabulary: dict[str, int] = Numbering(self.terms)
        self.pieces: dict[str, tuple[int, ...]] = _PieceIds(self._analyse_piece)

    def _analyse_piece(self, piece: str) -> tuple[int, ...]:
        return tuple(map(self.vocabulary.__getitem__, piece_terms(piece)))


_numbering: _ProcessNumbering | None = None


class _Batch:
    """The growing columns of one ``AnalysedDocuments``."""

    def __init__(self, numbering: _ProcessNumbering) -> None:
        self.numbering = numbering
        self.first_term = len(numbering.terms)
        self.fields: dict[tuple[str | None, str], tuple[int, ...]] = {}
        self.passage_counts: list[int] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.paragraphs: list[int] = []
        self.sections: list[str | None] = []
        self.sentence_counts: list[int] = []
        self.field_term_counts: list[int] = []
        self.sentence_starts: list[int] = []
        self.sentence_ends: list[int] = []
        self.sentence_term_counts: list[int] = []
        self.term_ids: list[int] = []

    def add(self, passage: Passage) -> None:
        text = passage.text
        spans = sentence_spans(text) or [(0, len(text))]
        self.starts.append(passage.start)
        self.ends.append(passage.end)
        self.paragraphs.append(passage.paragraph)
        self.sections.append(passage.section)
        self.sentence_counts.append(len(spans))
        pieces = self.numbering.pieces.__getitem__
        for start, end in spans:
            ids = list(chain.from_iterable(map(pieces, text[start:end].split())))
            self.sentence_starts.append(start)
            self.sentence_ends.append(end)
            self.sentence_term_counts.append(len(ids))
            self.term_ids.extend(ids)
        key = (passage.section, passage.document.title)
        fields = self.fields.get(key)
        if fields is None:
            own = chain.from_iterable(map(pieces, field_text(passage).split()))
            fields = self.fields[key] = tuple(own) * FIELD_REPEAT
        self.field_term_counts.append(len(fields))
        self.term_ids.extend(fields)

    def result(self, words: list[tuple[str, tuple[str, ...]]]) -> AnalysedDocuments:
        def array(values: list[int], dtype: type = np.int32) -> np.ndarray:
            return np.array(values, dtype=dtype)

        return AnalysedDocuments(
            vocabulary=self.numbering.name,
            first_term=self.first_term,
            terms=self.numbering.terms[self.first_term:],
            passage_counts=array(self.passage_counts),
            starts=array(self.starts, np.int64),
            ends=array(self.ends, np.int64),
            paragraphs=array(self.paragraphs),
            sections=self.sections,
            sentence_counts=array(self.sentence_counts),
            field_term_counts=array(self.field_term_counts),
            sentence_starts=array(self.sentence_starts),
            sentence_ends=array(self.sentence_ends),
            sentence_term_counts=array(self.sentence_term_counts),
            term_ids=array(self.term_ids),
            words=words,
        )


class Numbering(dict[str, int]):
    """A vocabulary that numbers each new term as it is first asked for (a C-speed lookup otherwise).

    New terms are also appended to ``terms``, so that ``terms[n]`` is the term numbered ``n``.
    """

    def __init__(self, terms: list[str]) -> None:
        super().__init__()
        self._terms = terms

    def __missing__(self, term: str) -> int:
        number = self[term] = len(self)
        self._terms.append(term)
        return number


class _PieceIds(dict[str, tuple[int, ...]]):
    """Each distinct piece of text's term ids, analysed when first asked for."""

    def __init__(self, analyse: Callable[[str], tuple[int, ...]]) -> None:
        super().__init__()
        self._analyse = analyse

    def __missing__(self, piece: str) -> tuple[int, ...]:
        ids = self._analyse(piece)
        if len(self) < _PIECES_REMEMBERED:
            self[piece] = ids
        return ids
