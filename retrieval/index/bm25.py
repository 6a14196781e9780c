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

Weights stay float64: scores reach ~30, where float32's rounding (~2e-6)
would break the 1e-6 agreement with rank-bm25 and could reorder near ties.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
from rank_bm25 import BM25Okapi

K1 = 1.2
B = 0.75
# Below this many postings per passage of the corpus, a question's postings are
# summed by sorting them; above it, into a dense array over all passages, which
# costs a pass over the passages but no sort (chosen by measuring bench.scale).
SPARSE_QUERY_RATIO = 1 / 32
# Up to this many candidates are ranked by a plain sort, above it after a partition.
FEW_CANDIDATES = 64
# Postings whose weights are computed together (bounds a build's temporary memory).
WEIGHT_BLOCK = 1 << 22


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


@dataclass(frozen=True, eq=False)
class SparseBM25:
    """Posting lists of precomputed BM25 contributions, laid out term by term (CSC).

    ``terms`` is the sorted vocabulary, so the same passages always give the
    same arrays however they were assembled (full or incremental build,
    cache). The passages of term ``t`` are
    ``passage_ids[offsets[t]:offsets[t + 1]]``, increasing, with their term
    frequencies at the same positions; ``lengths`` holds each passage's
    number of terms. These are the data; ``weights`` (each posting's
    contribution) and ``vocabulary`` are derived from them.
    """

    terms: tuple[str, ...]
    offsets: np.ndarray
    passage_ids: np.ndarray
    frequencies: np.ndarray
    lengths: np.ndarray
    k1: float = K1
    b: float = B
    vocabulary: dict[str, int] = field(init=False, repr=False)
    weights: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.lengths) == 0:
            raise ValueError("cannot index an empty corpus")
        object.__setattr__(self, "vocabulary", {term: i for i, term in enumerate(self.terms)})
        object.__setattr__(self, "weights", self._weights())

    @classmethod
    def build(cls, corpus: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> SparseBM25:
        """Index tokenized passages; an empty corpus is refused rather than divided by."""
        terms = sorted(set(chain.from_iterable(corpus)))
        term_ids, owners = term_occurrences(corpus, {term: i for i, term in enumerate(terms)})
        return cls.from_occurrences(terms, term_ids, owners, len(corpus), k1, b)

    @classmethod
    def from_occurrences(
        cls,
        terms: Sequence[str],
        term_ids: np.ndarray,
        passages: np.ndarray,
        passage_count: int,
        k1: float = K1,
        b: float = B,
    ) -> SparseBM25:
        """Index term occurrences: ``terms[term_ids[i]]`` occurs once in passage ``passages[i]``.

        ``terms`` must be sorted and distinct; occurrences may come in any
        order, and terms that occur nowhere are dropped, so an incremental
        build can pass the vocabulary of the corpus before some documents
        were removed.
        """
        # Memory matters at a million passages (a build then handles ~60M occurrences), so
        # the work is in place where it can be; np.sort and a diff are also several times
        # faster than np.unique(return_counts=True).
        lengths = np.bincount(passages, minlength=passage_count).astype(np.int32)
        used = np.bincount(term_ids, minlength=len(terms)) > 0
        kept = tuple(term for term, keep in zip(terms, used.tolist()) if keep)
        keys = (np.cumsum(used) - 1)[term_ids]
        keys *= passage_count
        keys += passages
        keys.sort()
        starts = np.flatnonzero(_first_of_runs(keys))
        frequencies = np.diff(starts, append=keys.size).astype(np.int32)
        keys = keys[starts]
        del starts
        offsets = np.searchsorted(keys, np.arange(len(kept) + 1, dtype=np.int64) * passage_count)
        np.remainder(keys, passage_count, out=keys)
        return cls(
            terms=kept,
            offsets=offsets.astype(np.int64),
            passage_ids=keys.astype(np.int32),
            frequencies=frequencies,
            lengths=lengths,
            k1=k1,
            b=b,
        )

    def validate(self) -> None:
        """Raise ``ValueError`` unless the arrays describe a consistent index (for data read from disk)."""
        nnz = len(self.passage_ids)
        shapes = (
            all(a.ndim == 1 for a in (self.offsets, self.passage_ids, self.frequencies, self.lengths))
            and len(self.offsets) == len(self.terms) + 1
            and len(self.frequencies) == nnz
            and self.offsets[0] == 0
            and self.offsets[-1] == nnz
            and bool(np.all(np.diff(self.offsets) > 0))
            and all(a < b for a, b in zip(self.terms, self.terms[1:]))
        )
        if not shapes:
            raise ValueError("inconsistent index shapes")
        if nnz == 0:
            return
        increasing = np.diff(self.passage_ids) > 0
        increasing[self.offsets[1:-1] - 1] = True
        if not (
            self.passage_ids.min() >= 0
            and self.passage_ids.max() < self.passage_count
            and self.frequencies.min() >= 1
            and bool(increasing.all())
            and np.array_equal(np.bincount(self.passage_ids, self.frequencies, self.passage_count), self.lengths)
        ):
            raise ValueError("inconsistent postings")

    def _weights(self) -> np.ndarray:
        """Each posting's BM25 contribution, with rank-bm25's operations in rank-bm25's order (float64).

        Computed a block of whole terms at a time, so the temporaries stay
        small next to the result at a million passages.
        """
        document_frequency = self.document_frequency
        idf = lucene_idf(self.passage_count, document_frequency)
        average_length = self.lengths.sum(dtype=np.int64) / self.passage_count or 1.0
        norm = self.k1 * (1 - self.b + self.b * self.lengths / average_length)
        weights = np.empty(len(self.passage_ids), dtype=np.float64)
        bounds = np.unique(np.searchsorted(self.offsets, np.arange(0, len(weights), WEIGHT_BLOCK)))
        for first, last in zip(bounds.tolist(), [*bounds[1:].tolist(), len(self.terms)]):
            block = slice(self.offsets[first], self.offsets[last])
            tf = self.frequencies[block].astype(np.float64)
            out = weights[block]
            np.multiply(tf, self.k1 + 1, out=out)
            out /= tf + norm[self.passage_ids[block]]
            out *= np.repeat(idf[first:last], document_frequency[first:last])
        return weights

    @property
    def passage_count(self) -> int:
        return len(self.lengths)

    @property
    def document_frequency(self) -> np.ndarray:
        return np.diff(self.offsets)

    def nbytes(self) -> int:
        """Memory held by the arrays and the vocabulary (strings counted once), for the benchmark."""
        arrays = (self.offsets, self.passage_ids, self.frequencies, self.lengths, self.weights)
        strings = sum(sys.getsizeof(term) for term in self.terms)
        return sum(a.nbytes for a in arrays) + strings + sys.getsizeof(self.terms) + sys.getsizeof(self.vocabulary)

    def occurrences(self) -> tuple[np.ndarray, np.ndarray]:
        """Every term occurrence as (term id, passage), the input ``from_occurrences`` takes back."""
        term_ids = np.repeat(np.arange(len(self.terms), dtype=np.int64), self.document_frequency)
        return np.repeat(term_ids, self.frequencies), np.repeat(self.passage_ids.astype(np.int64), self.frequencies)

    def idf(self, term: str) -> float:
        """The term's idf; unknown terms get the maximum, so they weigh heavily in coverage."""
        term_id = self.vocabulary.get(term)
        frequency = 0 if term_id is None else int(self.offsets[term_id + 1] - self.offsets[term_id])
        return float(lucene_idf(self.passage_count, frequency))

    def holds(self, passage: int, term_ids: np.ndarray) -> np.ndarray:
        """Whether ``passage`` has each of the terms ``term_ids``, read from their (passage-sorted) postings."""
        held = np.zeros(len(term_ids), dtype=bool)
        for n, term_id in enumerate(term_ids.tolist()):
            postings = self.passage_ids[self.offsets[term_id]:self.offsets[term_id + 1]]
            at = int(np.searchsorted(postings, passage))
            held[n] = at < len(postings) and postings[at] == passage
        return held

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Every passage's score, as ``ReferenceBM25.get_scores`` would give it."""
        ids, weights, _ = self._postings(query)
        return np.bincount(ids, weights=weights, minlength=self.passage_count)

    def scores_of(
        self, query: Sequence[str], positions: Sequence[int], query_weights: Sequence[float] | None = None
    ) -> np.ndarray:
        """The scores of the passages at ``positions`` (as ``top`` weighs the query), without scoring the rest."""
        ids, weights, _ = self._postings(query, query_weights)
        wanted = np.asarray(positions, dtype=np.intp)
        kept = np.isin(ids, wanted)
        totals = dict(zip(*_summed(ids[kept], weights[kept])))
        return np.array([totals.get(position, 0.0) for position in wanted.tolist()], dtype=np.float64)

    def top(
        self, query: Sequence[str], k: int, query_weights: Sequence[float] | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` best (passage, score) pairs with a positive score, best first, ties by position.

        ``query_weights`` scale each query term's contribution (1.0 each when
        omitted, which is rank-bm25's sum). Only passages holding a query term
        are candidates (every contribution is positive), so zero-score
        passages never appear. Short posting lists are summed after sorting
        them; long ones into a dense array over all passages
        (``SPARSE_QUERY_RATIO`` picks the cheaper).
        """
        ids, weights, sizes = self._postings(query, query_weights)
        if k <= 0 or ids.size == 0:
            return []
        if ids.size < self.passage_count * SPARSE_QUERY_RATIO:
            # A stable sort keeps each passage's contributions in query order, so
            # bincount adds them up exactly as the dense pass (and rank-bm25) would.
            order = np.argsort(ids, kind="stable")
            ids = ids[order]
            first = _first_of_runs(ids)
            candidates, totals = ids[first], np.bincount(np.cumsum(first) - 1, weights=weights[order])
        else:
            dense = np.bincount(ids, weights=weights, minlength=self.passage_count)
            # Reading the totals back at the postings costs less than scanning every passage.
            candidates = np.unique(ids[dense[ids] >= _lower_bound(dense, ids, sizes, k)])
            totals = dense[candidates]
        if candidates.size > max(k, FEW_CANDIDATES):
            # Keep everything tied with the k-th best, so ties are broken by position, not by partitioning.
            keep = totals >= _kth_largest(totals, k)
            candidates, totals = candidates[keep], totals[keep]
        # Usually a handful remain: sorting them in Python beats a few more numpy calls.
        ranked = sorted(zip(totals.tolist(), candidates.tolist()), key=lambda pair: (-pair[0], pair[1]))
        return [(passage, score) for score, passage in ranked[:k]]

    def _postings(
        self, query: Sequence[str], query_weights: Sequence[float] | None = None
    ) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """The passage ids and contributions of the query's terms, in query order (as rank-bm25 sums them).

        Also the length of each term's run. Ids come back as ``intp``: numpy
        counts and indexes with int32 ids several times slower.
        """
        scale = [1.0] * len(query) if query_weights is None else list(query_weights)
        slices = [
            (slice(self.offsets[term_id], self.offsets[term_id + 1]), factor)
            for term_id, factor in zip((self.vocabulary.get(term) for term in query), scale)
            if term_id is not None and factor > 0
        ]
        if not slices:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float64), []
        return (
            np.concatenate([self.passage_ids[s] for s, _ in slices], dtype=np.intp),
            np.concatenate([self.weights[s] if f == 1.0 else self.weights[s] * f for s, f in slices]),
            [s.stop - s.start for s, _ in slices],
        )


def term_occurrences(corpus: Sequence[Sequence[str]], vocabulary: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(term id, position in ``corpus``) of every token; the one per-token pass of a build, kept in C loops."""
    lengths = np.fromiter(map(len, corpus), dtype=np.int64, count=len(corpus))
    term_ids = np.fromiter(
        map(vocabulary.__getitem__, chain.from_iterable(corpus)), dtype=np.int64, count=int(lengths.sum())
    )
    return term_ids, np.repeat(np.arange(len(corpus), dtype=np.int64), lengths)


def _summed(ids: np.ndarray, weights: np.ndarray) -> tuple[list[int], list[float]]:
    """Distinct ids and their weights' totals, added in the order given (as rank-bm25 adds a query's terms)."""
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    first = _first_of_runs(ids)
    return ids[first].tolist(), np.bincount(np.cumsum(first) - 1, weights=weights[order]).tolist()


def _first_of_runs(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values of a sorted array starts, as a mask."""
    first = np.ones(values.size, dtype=bool)
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return first


def _kth_largest(values: np.ndarray, k: int) -> float:
    """The k-th largest of ``values`` (which has at least ``k``), in linear time."""
    return float(np.partition(values, values.size - k)[values.size - k])


def _lower_bound(dense: np.ndarray, ids: np.ndarray, sizes: list[int], k: int) -> float:
    """A score the k-th best passage reaches for sure, so one comparison leaves few candidates.

    The passages of one term are distinct, so the k-th best total among them
    is at most the k-th best overall. The rarest term that has ``k`` passages
    gives the tightest bound, its passages being the likeliest to score high.
    When no term has ``k`` passages, any positive score may be among the best.
    """
    eligible = [(size, start) for size, start in zip(sizes, np.cumsum([0, *sizes[:-1]]).tolist()) if size >= k]
    if not eligible:
        return float(np.finfo(np.float64).tiny)  # the smallest positive score
    size, start = min(eligible)
    return _kth_largest(dense[ids[start:start + size]], k)
