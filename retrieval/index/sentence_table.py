"""Every passage's sentences, analysed when the passage is indexed, as plain arrays.

Answering re-ranks candidates by their best sentence and quotes one or two
sentences; splitting and analysing the candidates' text again for every
question cost far more than finding them. Here each passage's sentence spans
and each sentence's term ids (into the index's vocabulary) are computed once,
saved with the index, and read at question time by array slicing alone.

Sentence ``s`` of the corpus is a global position: the sentences of passage
``p`` are ``passage_offsets[p]:passage_offsets[p + 1]``, in reading order;
``starts[s]:ends[s]`` is the sentence's span in its passage's text, and its
term ids are ``term_ids[term_offsets[s]:term_offsets[s + 1]]``, in order.
Anything that scores sentences (lexically here, by meaning elsewhere) can key
per-sentence data by these positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np


@dataclass(frozen=True)
class SentenceBatch:
    """The sentences of some passages, gathered for array work.

    ``sentences`` are global sentence positions, passage after passage;
    ``owners[i]`` is the position (in the requested passages) of the passage
    holding ``sentences[i]``; the passage ``j`` asked for owns
    ``sentences[bounds[j]:bounds[j + 1]]``. ``term_ids`` are all their terms,
    sentence after sentence, and ``term_rows[i]`` says which entry of
    ``sentences`` the term ``term_ids[i]`` belongs to.
    """

    sentences: np.ndarray
    owners: np.ndarray
    bounds: np.ndarray
    term_ids: np.ndarray
    term_rows: np.ndarray


@dataclass(frozen=True, eq=False)
class SentenceTable:
    """Sentence spans and analysed terms of every passage (see the module docstring for the layout)."""

    passage_offsets: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    term_offsets: np.ndarray
    term_ids: np.ndarray

    @classmethod
    def from_counts(
        cls, sentence_counts: np.ndarray, spans: np.ndarray, term_counts: np.ndarray, term_ids: np.ndarray
    ) -> SentenceTable:
        """A table from each passage's number of sentences, every sentence's span (n x 2) and number of terms,
        and all the term ids."""
        return cls(
            passage_offsets=_offsets(np.asarray(sentence_counts, dtype=np.int64)),
            starts=np.ascontiguousarray(spans[:, 0], dtype=np.int32),
            ends=np.ascontiguousarray(spans[:, 1], dtype=np.int32),
            term_offsets=_offsets(np.asarray(term_counts, dtype=np.int64)),
            term_ids=np.asarray(term_ids, dtype=np.int32),
        )

    @classmethod
    def concatenate(cls, tables: Sequence[SentenceTable]) -> SentenceTable:
        """The tables' passages one after another (term ids must already share one vocabulary)."""
        return cls(
            passage_offsets=_joined_offsets([t.passage_offsets for t in tables]),
            starts=np.concatenate([t.starts for t in tables]),
            ends=np.concatenate([t.ends for t in tables]),
            term_offsets=_joined_offsets([t.term_offsets for t in tables]),
            term_ids=np.concatenate([t.term_ids for t in tables]),
        )

    @property
    def passage_count(self) -> int:
        return len(self.passage_offsets) - 1

    @property
    def sentence_count(self) -> int:
        return len(self.starts)

    def sentence_range(self, passage: int) -> range:
        """Global positions of the sentences of ``passage``."""
        return range(int(self.passage_offsets[passage]), int(self.passage_offsets[passage + 1]))

    def spans(self, passage: int) -> list[tuple[int, int]]:
        """``(start, end)`` of each sentence of ``passage``, in its text."""
        sentences = self.sentence_range(passage)
        return list(zip(self.starts[sentences.start:sentences.stop].tolist(), self.ends[sentences.start:sentences.stop].tolist()))

    def sentence_terms(self, sentence: int) -> np.ndarray:
        """Term ids of one sentence, in order."""
        return self.term_ids[self.term_offsets[sentence]:self.term_offsets[sentence + 1]]

    def gather(self, passages: Sequence[int]) -> SentenceBatch:
        """The sentences of ``passages`` (in that order) and all their term ids, for scoring them together.

        Done for every question, so in as few array calls as the layout allows: a passage's sentences, and
        so their terms, are contiguous, and each run is laid out from where it starts in the batch.
        """
        positions = np.asarray(passages, dtype=np.intp)
        firsts, lasts = self.passage_offsets[positions], self.passage_offsets[positions + 1]
        counts = lasts - firsts
        bounds = _offsets(counts)
        owners = np.repeat(np.arange(len(counts)), counts)
        # Sentence i of the batch is the (i - bounds[owner])-th of its passage, which starts at firsts[owner].
        sentences = np.arange(bounds[-1], dtype=np.int64) + (firsts - bounds[:-1])[owners]
        term_firsts = self.term_offsets[sentences]
        term_counts = self.term_offsets[sentences + 1] - term_firsts
        term_bounds = _offsets(term_counts)
        term_rows = np.repeat(np.arange(len(sentences)), term_counts)
        # Likewise term j of the batch is at term_firsts[row] + (j - term_bounds[row]) in the table.
        term_positions = np.arange(term_bounds[-1], dtype=np.int64) + (term_firsts - term_bounds[:-1])[term_rows]
        return SentenceBatch(
            sentences=sentences,
            owners=owners,
            bounds=bounds,
            term_ids=self.term_ids[term_positions],
            term_rows=term_rows,
        )

    def batch_spans(self, batch: SentenceBatch) -> list[list[tuple[int, int]]]:
        """``spans`` of each passage of ``batch``, in its order, read in one pass."""
        pairs = list(zip(self.starts[batch.sentences].tolist(), self.ends[batch.sentences].tolist()))
        bounds = batch.bounds.tolist()
        return [pairs[first:last] for first, last in pairwise(bounds)]

    def select(self, passages: np.ndarray, term_map: np.ndarray | None = None) -> SentenceTable:
        """A table of ``passages`` only, in the given order, with term ids renumbered through ``term_map``."""
        sentences, counts, term_positions, term_counts = self._layout(passages)
        term_ids = self.term_ids[term_positions]
        return SentenceTable(
            passage_offsets=_offsets(counts),
            starts=self.starts[sentences],
            ends=self.ends[sentences],
            term_offsets=_offsets(term_counts),
            term_ids=term_ids if term_map is None else term_map[term_ids].astype(np.int32),
        )

    def _layout(self, passages: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The sentences of ``passages`` and their count per passage; their terms' positions and count per sentence."""
        firsts = self.passage_offsets[passages]
        counts = self.passage_offsets[passages + 1] - firsts
        sentences = ranges(firsts, counts)
        term_starts = self.term_offsets[sentences]
        term_counts = self.term_offsets[sentences + 1] - term_starts
        return sentences, counts, ranges(term_starts, term_counts), term_counts

    def validate(self, passage_lengths: np.ndarray, vocabulary_size: int) -> None:
        """Raise ``ValueError`` unless every span lies in its passage and every term id in the vocabulary.

        For data read from disk: after this, no slice or index taken by the
        methods above can fall outside the arrays or the passages' text.
        """
        offsets, term_offsets = self.passage_offsets, self.term_offsets
        sentences, terms = len(self.starts), len(self.term_ids)
        if not (
            all(a.ndim == 1 for a in (offsets, self.starts, self.ends, term_offsets, self.term_ids))
            and len(offsets) == len(passage_lengths) + 1
            and len(self.ends) == sentences
            and len(term_offsets) == sentences + 1
            and offsets[0] == 0
            and offsets[-1] == sentences
            and term_offsets[0] == 0
            and term_offsets[-1] == terms
            and bool(np.all(np.diff(offsets) > 0))
            and bool(np.all(np.diff(term_offsets) >= 0))
        ):
            raise ValueError("inconsistent sentence table shapes")
        lengths = np.repeat(np.asarray(passage_lengths, dtype=np.int64), np.diff(offsets))
        if sentences and not bool(np.all((0 <= self.starts) & (self.starts < self.ends) & (self.ends <= lengths))):
            raise ValueError("sentence spans fall outside their passages")
        if terms and not (0 <= self.term_ids.min() and self.term_ids.max() < vocabulary_size):
            raise ValueError("sentence term ids fall outside the vocabulary")

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays by name, for saving (``from_arrays`` takes them back)."""
        return {
            "passage_offsets": self.passage_offsets,
            "starts": self.starts,
            "ends": self.ends,
            "term_offsets": self.term_offsets,
            "term_ids": self.term_ids,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> SentenceTable:
        return cls(**arrays)


def _offsets(counts: np.ndarray) -> np.ndarray:
    """``[0, c0, c0 + c1, ...]``: where each of the counted runs starts, and the total."""
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets


def _joined_offsets(parts: Sequence[np.ndarray]) -> np.ndarray:
    """Offsets of consecutive tables made into one run of offsets."""
    return _offsets(np.concatenate([np.diff(part) for part in parts]))


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])``, without a Python loop."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    # Position i of run r is i - (where run r starts in the result) + starts[r].
    heads = np.cumsum(counts) - counts
    return np.arange(total, dtype=np.int64) + np.repeat(np.asarray(starts, dtype=np.int64) - heads, counts)
