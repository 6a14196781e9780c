"""BM25 scoring: rank-bm25's formula, precomputed into a sparse matrix.

``rank_bm25.BM25Okapi.get_scores`` walks every passage in Python for every
query term, which is fine for one article and far too slow for a wiki. Here
each (term, passage) contribution is computed once at build time, so a
question only adds up the posting lists of its own terms. ``ReferenceBM25``
is rank-bm25 configured identically; the tests hold the two to the same
scores.

The idf is Lucene's ``log(1 + (N - df + 0.5) / (df + 0.5))`` instead of
rank-bm25's default, whose idf turns negative for terms in more than half the
passages (and for every term of a one- or two-passage corpus) and is then
floored by an arbitrary epsilon: a one-paragraph corpus must still answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi

K1 = 1.2
B = 0.75


class ReferenceBM25(BM25Okapi):
    """rank-bm25's Okapi BM25 with the non-negative idf; the scoring this module must equal."""

    def __init__(self, corpus: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> None:
        super().__init__([list(tokens) for tokens in corpus], k1=k1, b=b)

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = lucene_idf(self.corpus_size, freq)


def lucene_idf(passages: int | np.ndarray, document_frequency: int | np.ndarray) -> float | np.ndarray:
    """Non-negative idf; a term absent from the corpus gets the highest possible value."""
    ratio = (passages - document_frequency + 0.5) / (document_frequency + 0.5)
    if isinstance(ratio, np.ndarray):
        return np.log1p(ratio)
    return math.log1p(ratio)


@dataclass(frozen=True)
class SparseBM25:
    """Posting lists of precomputed BM25 contributions, laid out term by term (CSC).

    The passages of term ``t`` are ``passage_ids[offsets[t]:offsets[t + 1]]``
    and their contributions ``weights[...]`` at the same positions.
    """

    vocabulary: dict[str, int]
    offsets: np.ndarray
    passage_ids: np.ndarray
    weights: np.ndarray
    document_frequency: np.ndarray
    passage_count: int
    k1: float = K1
    b: float = B

    @classmethod
    def build(cls, corpus: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> SparseBM25:
        """Index tokenized passages; an empty corpus is refused rather than divided by."""
        if not corpus:
            raise ValueError("cannot index an empty corpus")
        vocabulary: dict[str, int] = {}
        lookup = vocabulary.setdefault
        term_ids = np.fromiter(
            (lookup(token, len(vocabulary)) for tokens in corpus for token in tokens), dtype=np.int64
        )
        lengths = np.fromiter((len(tokens) for tokens in corpus), dtype=np.int64, count=len(corpus))
        count = len(corpus)
        owners = np.repeat(np.arange(count, dtype=np.int64), lengths)
        pairs, frequency = np.unique(term_ids * count + owners, return_counts=True)
        terms, passages = np.divmod(pairs, count)
        document_frequency = np.bincount(terms, minlength=len(vocabulary))
        average_length = lengths.sum() / count or 1.0
        idf = lucene_idf(count, document_frequency)
        norm = k1 * (1 - b + b * lengths[passages] / average_length)
        weights = idf[terms] * frequency * (k1 + 1) / (frequency + norm)
        offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(document_frequency, out=offsets[1:])
        return cls(
            vocabulary=vocabulary,
            offsets=offsets,
            passage_ids=passages.astype(np.int32),
            weights=weights,
            document_frequency=document_frequency,
            passage_count=count,
            k1=k1,
            b=b,
        )

    def idf(self, term: str) -> float:
        """The term's idf; unknown terms get the maximum, so they weigh heavily in coverage."""
        term_id = self.vocabulary.get(term)
        frequency = 0 if term_id is None else int(self.document_frequency[term_id])
        return float(lucene_idf(self.passage_count, frequency))

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Every passage's score, as ``ReferenceBM25.get_scores`` would give it."""
        ids, weights = self._postings(query)
        return np.bincount(ids, weights=weights, minlength=self.passage_count)

    def top(self, query: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best (passage, score) pairs with a positive score, best first, ties by position."""
        if k <= 0:
            return []
        ids, weights = self._postings(query)
        if ids.size == 0:
            return []
        totals = np.bincount(ids, weights=weights, minlength=self.passage_count)
        candidates = np.flatnonzero(totals > 0) if ids.size > self.passage_count // 8 else np.unique(ids)
        candidates = candidates[totals[candidates] > 0]
        if candidates.size > k:
            keep = np.argpartition(-totals[candidates], k - 1)[:k]
            candidates = candidates[keep]
        order = np.lexsort((candidates, -totals[candidates]))
        return [(int(candidates[i]), float(totals[candidates[i]])) for i in order]

    def _postings(self, query: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        slices = [
            (self.offsets[term_id], self.offsets[term_id + 1])
            for term_id in (self.vocabulary.get(term) for term in query)
            if term_id is not None
        ]
        if not slices:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64)
        if len(slices) == 1:
            start, end = slices[0]
            return self.passage_ids[start:end], self.weights[start:end]
        return (
            np.concatenate([self.passage_ids[a:b] for a, b in slices]),
            np.concatenate([self.weights[a:b] for a, b in slices]),
        )
