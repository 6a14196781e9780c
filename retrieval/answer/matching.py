"""Which of a question's words a piece of text contains, synonyms included, for many texts at once.

Ranking, declining and quoting all ask the same thing of a passage or a
sentence, so they share one definition: a question's topic term is present
when the term itself is, or all the terms of one of its everyday alternatives
(``synonyms``) are. Its weight is its idf, and a text's share of the question
is the idf of the topic terms it holds over the idf of them all.

Texts are rows of term ids (sentences from the index's ``SentenceTable``, or
a whole passage's postings), so a question is first turned into vocabulary
ids once (``QuestionTerms``) and every row is then matched by array
operations. Shares are summed term by term in the terms' sorted order, so
equal sets of terms always give bit-equal shares, whatever the hash seed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from quotebot.retrieval.answer.questions import Question

# Up to this many ids, ``among`` compares values with each id in turn.
COMPARED_ONE_BY_ONE = 8


@dataclass(frozen=True)
class Match:
    """The question's topic terms found in one text, and their idf-weighted share."""

    found: frozenset[str]
    share: float


@dataclass(frozen=True, eq=False)
class QuestionTerms:
    """A question's topic terms and their alternatives as the vocabulary ids that matching reads.

    ``wanted`` are the distinct topic terms, sorted; ``idf`` their weights in
    that order. ``columns`` are the sorted vocabulary ids of every term that
    can make a topic term present (terms the corpus lacks have none: they are
    present nowhere). A presence matrix has one column per entry of
    ``columns``; ``direct[j]`` is the column of ``wanted[j]`` itself (-1 when
    absent), and ``phrase_columns`` (column x phrase, 1 where the phrase
    holds the term) with ``phrase_owner`` describe the alternatives whose
    terms all exist.
    """

    wanted: tuple[str, ...]
    idf: np.ndarray
    total: float
    columns: np.ndarray
    direct: np.ndarray
    phrase_columns: np.ndarray
    phrase_sizes: np.ndarray
    phrase_owners: np.ndarray
    asked: np.ndarray

    @classmethod
    def of(cls, question: Question, vocabulary: Mapping[str, int], idf: Callable[[str], float]) -> QuestionTerms:
        wanted = tuple(sorted(set(question.topic_terms)))
        phrases = [
            (j, frozenset(phrase)) for j, term in enumerate(wanted) for phrase in question.alternatives.get(term, ())
        ]
        needed = set(wanted).union(*(phrase for _, phrase in phrases))
        known = sorted((vocabulary[term], term) for term in needed if term in vocabulary)
        column = {term: c for c, (_, term) in enumerate(known)}
        possible = [(j, phrase) for j, phrase in phrases if phrase and phrase <= column.keys()]
        phrase_columns = np.zeros((len(known), len(possible)), dtype=np.int32)
        phrase_owners = np.zeros((len(possible), len(wanted)), dtype=np.int32)
        for p, (j, phrase) in enumerate(possible):
            phrase_columns[[column[term] for term in phrase], p] = 1
            phrase_owners[p, j] = 1
        weights = np.array([idf(term) for term in wanted], dtype=np.float64)
        return cls(
            wanted=wanted,
            idf=weights,
            total=_sequential_sum(weights),
            columns=np.array([term_id for term_id, _ in known], dtype=np.int64),
            direct=np.array([column.get(term, -1) for term in wanted], dtype=np.int64),
            phrase_columns=phrase_columns,
            phrase_sizes=np.array([len(phrase) for _, phrase in possible], dtype=np.int32),
            phrase_owners=phrase_owners,
            asked=np.array(sorted({vocabulary[t] for t in question.terms if t in vocabulary}), dtype=np.int64),
        )

    def presence(self, term_ids: np.ndarray, rows: np.ndarray, row_count: int) -> np.ndarray:
        """Boolean (row x column): row ``rows[i]`` holds the term ``term_ids[i]``."""
        present = np.zeros((row_count, len(self.columns)), dtype=bool)
        if len(self.columns) and len(term_ids):
            at = np.searchsorted(self.columns, term_ids)
            np.minimum(at, len(self.columns) - 1, out=at)
            hit = self.columns[at] == term_ids
            present[rows[hit], at[hit]] = True
        return present

    def found(self, present: np.ndarray) -> np.ndarray:
        """Boolean (row x wanted term): the row holds the topic term or a whole alternative of it."""
        found = self.held_directly(present)
        if len(self.phrase_sizes):
            whole = (present.astype(np.int32) @ self.phrase_columns) == self.phrase_sizes
            found |= (whole.astype(np.int32) @ self.phrase_owners) > 0
        return found

    def held_directly(self, present: np.ndarray) -> np.ndarray:
        """Boolean (row x wanted term): the row holds the topic term itself, not only an alternative of it."""
        direct = self.direct >= 0
        held = np.zeros((len(present), len(self.wanted)), dtype=bool)
        held[:, direct] = present[:, self.direct[direct]]
        return held

    def shares(self, found: np.ndarray) -> np.ndarray:
        """Each row's idf-weighted share of the topic terms (0 for a question without any)."""
        if not self.total:
            return np.zeros(len(found), dtype=np.float64)
        # A running sum adds the weights one by one in term order, exactly as ``share`` does.
        return np.cumsum(np.where(found, self.idf, 0.0), axis=1)[:, -1] / self.total

    def share(self, wanted: np.ndarray, ignoring: np.ndarray | None = None) -> float:
        """The share of the topic terms at positions ``wanted`` (a boolean mask over ``self.wanted``), of all
        the topic terms but those at positions ``ignoring``, which count neither as held nor as missing."""
        if ignoring is None or not ignoring.any():
            return _sequential_sum(self.idf[wanted]) / self.total if self.total else 0.0
        total = _sequential_sum(self.idf[~ignoring])
        return _sequential_sum(self.idf[wanted & ~ignoring]) / total if total else 0.0

    def match(self, found_row: np.ndarray) -> Match:
        """One row of ``found`` as the topic terms it holds and their share."""
        return Match(frozenset(term for term, hit in zip(self.wanted, found_row.tolist()) if hit), self.share(found_row))


def _sequential_sum(values: np.ndarray) -> float:
    """``values[0] + values[1] + ...`` left to right, as ``shares`` adds them (numpy's sum pairs them up)."""
    return float(np.cumsum(values)[-1]) if len(values) else 0.0


def among(values: np.ndarray, few: Sequence[int] | np.ndarray) -> np.ndarray:
    """``np.isin(values, few)``, faster for the handful of ids a question has: one comparison per id for a
    few (no sort at all), a binary search among them for more (no sort of ``values``, which ``isin`` does)."""
    few = np.unique(np.asarray(few, dtype=np.int64))
    if len(few) <= COMPARED_ONE_BY_ONE:
        found = np.zeros(len(values), dtype=bool)
        for one in few.tolist():
            found |= values == one
        return found
    at = np.searchsorted(few, values)
    np.minimum(at, len(few) - 1, out=at)
    return few[at] == values
