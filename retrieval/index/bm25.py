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

Scores must be rank-bm25's to the last bit (float32's rounding, ~2e-6 at
scores of ~30, could reorder near ties), yet a question over a million
passages adds up millions of contributions. So each posting's contribution is
also kept as float32 (half the memory and bandwidth of float64): a question
with many postings adds those up to find its candidates, keeping every
passage within the float32 error bound of the k-th best, and only the
candidates are scored exactly, in float64, with rank-bm25's operations in
rank-bm25's order. A question with few postings is scored exactly at once.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, pairwise

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
# Up to this many postings, passage ids are also kept as intp for adding up scores.
INTP_POSTINGS = 1 << 24
# Occurrences turned into postings at once when indexing (bounds a build's temporary memory).
OCCURRENCES_AT_ONCE = 1 << 23
# The types term frequencies are kept in, narrowest first.
COUNT_TYPES = ("u1", "<u2", "<i4")
# Postings whose weights are computed together (bounds a build's temporary memory).
WEIGHT_BLOCK = 1 << 22


class ReferenceBM25(BM25Okapi):
    """rank-bm25's Okapi BM25 with the non-negative idf; the scoring this module must equal."""

    def __init__(self, corpus: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> None:
        super().__init__([list(tokens) for tokens in corpus], k1=k1, b=b)

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = lucene_idf(self.corpus_size, freq)


def lucene_idf(passages: int, document_frequency: int | np.ndarray) -> float | np.ndarray:
    """Non-negative idf; a term absent from the corpus gets the highest possible value.

    Always ``math.log1p``, as rank-bm25 computes it: numpy's vectorised
    ``log1p`` can differ from it in the last bit, and so reorder near ties.
    An array of frequencies holds few distinct values, each computed once.
    """
    if isinstance(document_frequency, np.ndarray):
        distinct, inverse = np.unique(document_frequency, return_inverse=True)
        return np.array([lucene_idf(passages, int(frequency)) for frequency in distinct.tolist()])[inverse]
    return math.log1p((passages - document_frequency + 0.5) / (document_frequency + 0.5))


@dataclass(frozen=True, eq=False)
class SparseBM25:
    """Posting lists of precomputed BM25 contributions, laid out term by term (CSC).

    ``terms`` is the sorted vocabulary, so the same passages always give the
    same arrays however they were assembled (full or incremental build,
    cache). The passages of term ``t`` are
    ``passage_ids[offsets[t]:offsets[t + 1]]``, increasing, with their term
    frequencies at the same positions; ``lengths`` holds each passage's
    number of terms. These are the data; ``approximate`` (each posting's
    contribution in float32, computed from them when not given),
    ``vocabulary``, ``term_idf`` and ``norms`` are derived from them.
    """

    terms: tuple[str, ...]
    offsets: np.ndarray
    passage_ids: np.ndarray
    frequencies: np.ndarray
    lengths: np.ndarray
    k1: float = K1
    b: float = B
    approximate: np.ndarray | None = field(default=None, repr=False)
    vocabulary: dict[str, int] = field(init=False, repr=False)
    term_idf: np.ndarray = field(init=False, repr=False)
    norms: np.ndarray = field(init=False, repr=False)
    remembered_idf: dict[str, float] = field(init=False, repr=False, default_factory=dict)
    scatter_ids: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.lengths) == 0:
            raise ValueError("cannot index an empty corpus")
        object.__setattr__(self, "vocabulary", {term: i for i, term in enumerate(self.terms)})
        object.__setattr__(self, "term_idf", lucene_idf(self.passage_count, self.document_frequency))
        average_length = self.lengths.sum(dtype=np.int64) / self.passage_count or 1.0
        object.__setattr__(self, "norms", self.k1 * (1 - self.b + self.b * self.lengths / average_length))
        if self.approximate is None:
            object.__setattr__(self, "approximate", self._approximate())
        # numpy indexes with intp ids twice as fast as with int32 ones, which it converts each time;
        # past INTP_POSTINGS, the memory counts for more.
        small = len(self.passage_ids) <= INTP_POSTINGS
        object.__setattr__(self, "scatter_ids", self.passage_ids.astype(np.intp) if small else self.passage_ids)

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
        return cls.from_parts(terms, [(term_ids, passages)], passage_count, k1, b)

    @classmethod
    def from_parts(
        cls,
        terms: Sequence[str],
        parts: Sequence[tuple[np.ndarray, np.ndarray]],
        passage_count: int,
        k1: float = K1,
        b: float = B,
        kept: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> SparseBM25:
        """``from_occurrences`` over the occurrences of several parts (each ``(term_ids, passages)``).

        A million passages hold ~65M occurrences: they are never gathered in
        one array. The postings are made a range of terms at a time, from
        each part's occurrences of those terms, so the temporary memory is a
        range's, not the corpus's. ``kept`` are postings already made (of an
        incremental build's unchanged documents): their sorted keys
        (``term * passage_count + passage``), frequencies and every passage's
        length (0 for the others); the new postings are merged into them in
        one pass, without sorting them again.
        """
        lengths = sum((np.bincount(p, minlength=passage_count) for _, p in parts), np.zeros(passage_count, np.int64))
        fresh = sum((np.bincount(t, minlength=len(terms)) for t, _ in parts), np.zeros(len(terms), np.int64))
        counts = fresh
        if kept is not None:
            lengths = lengths + kept[2]
            counts = counts + np.bincount(kept[0] // passage_count, minlength=len(terms))
        used = counts > 0
        if kept is not None and not used.all():
            raise ValueError("postings kept from a previous index must only use terms that are used")
        names = tuple(term for term, keep in zip(terms, used.tolist()) if keep)
        renumber = (np.cumsum(used) - 1).astype(np.int64)
        ids: list[np.ndarray] = []
        frequencies: list[np.ndarray] = []
        for first, last in _term_ranges(fresh, OCCURRENCES_AT_ONCE) if parts else ():
            keys = np.concatenate([_keys(t, p, first, last, renumber, passage_count) for t, p in parts])
            keys.sort()
            starts = np.flatnonzero(_first_of_runs(keys))
            frequencies.append(np.diff(starts, append=keys.size).astype(np.int32))
            ids.append(keys[starts])
            del keys, starts
        keys = np.concatenate(ids) if ids else np.empty(0, dtype=np.int64)
        tf = np.concatenate(frequencies) if frequencies else np.empty(0, np.int32)
        del ids, frequencies
        if kept is not None:
            at = np.searchsorted(kept[0], keys)
            keys, tf = np.insert(kept[0], at, keys), np.insert(kept[1].astype(np.int32), at, tf)
        offsets = np.searchsorted(keys, np.arange(len(names) + 1, dtype=np.int64) * passage_count)
        np.remainder(keys, passage_count, out=keys)
        return cls(
            terms=names,
            offsets=offsets.astype(np.int64),
            passage_ids=keys.astype(np.int32),
            frequencies=narrowest(tf, COUNT_TYPES),
            lengths=lengths.astype(np.int32),
            k1=k1,
            b=b,
        )

    def kept_postings(self, passages: np.ndarray, terms: np.ndarray, passage_count: int) -> tuple[np.ndarray, ...]:
        """This index's postings as ``from_parts`` keeps them, for another index.

        ``passages[p]`` is passage ``p``'s position there (-1: dropped) and
        ``terms[t]`` term ``t``'s number there; both must keep the order of
        what they keep (as documents and sorted terms do), so the keys come
        out sorted.
        """
        moved = passages[self.passage_ids]
        keys = np.repeat(terms.astype(np.int64), self.document_frequency)
        keys *= passage_count
        keys += moved
        keep = moved >= 0
        del moved
        frequencies = self.frequencies
        if not keep.all():
            keys, frequencies = keys[keep], frequencies[keep]
        lengths = np.zeros(passage_count, dtype=np.int64)
        lengths[passages[passages >= 0]] = self.lengths[passages >= 0]
        return keys, frequencies, lengths

    def validate(self) -> None:
        """Raise ``ValueError`` unless the arrays describe a consistent index (for data read from disk)."""
        nnz = len(self.passage_ids)
        shapes = (
            all(a.ndim == 1 for a in (self.offsets, self.passage_ids, self.frequencies, self.lengths))
            and len(self.offsets) == len(self.terms) + 1
            and len(self.frequencies) == nnz
            and self.approximate is not None
            and self.approximate.shape == (nnz,)
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
        # Lengths only weigh scores (a term counted twice would merely rank badly), so their
        # total is checked, not each one: the per-passage sum costs more than the rest together.
        if not (
            self.passage_ids.min() >= 0
            and self.passage_ids.max() < self.passage_count
            and self.frequencies.min() >= 1
            and bool(increasing.all())
            and self.lengths.min() >= 0
            and self.lengths.sum(dtype=np.int64) == self.frequencies.sum(dtype=np.int64)
        ):
            raise ValueError("inconsistent postings")

    def _approximate(self) -> np.ndarray:
        """Every posting's contribution, rounded to float32, computed a block of whole terms at a time
        (bounds the temporaries at a million passages)."""
        approximate = np.empty(len(self.passage_ids), dtype=np.float32)
        bounds = np.unique(np.searchsorted(self.offsets, np.arange(0, len(approximate), WEIGHT_BLOCK)))
        for first, last in zip(bounds.tolist(), [*bounds[1:].tolist(), len(self.terms)]):
            block = slice(self.offsets[first], self.offsets[last])
            idf = np.repeat(self.term_idf[first:last], self.document_frequency[first:last])
            approximate[block] = self._contributions(self.passage_ids[block], self.frequencies[block], idf)
        return approximate

    def _contributions(self, passages: np.ndarray, frequencies: np.ndarray, idf: np.ndarray | float) -> np.ndarray:
        """Exact float64 contributions, with rank-bm25's operations in rank-bm25's order."""
        tf = frequencies.astype(np.float64)
        out = tf * (self.k1 + 1)
        out /= tf + self.norms[passages]
        out *= idf
        return out

    def _exact_postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """One term's passages and their exact contributions."""
        postings = slice(self.offsets[term_id], self.offsets[term_id + 1])
        passages = self.passage_ids[postings]
        return passages, self._contributions(passages, self.frequencies[postings], self.term_idf[term_id])

    @property
    def passage_count(self) -> int:
        return len(self.lengths)

    @property
    def document_frequency(self) -> np.ndarray:
        return np.diff(self.offsets)

    def nbytes(self) -> int:
        """Memory held by the arrays and the vocabulary (strings counted once), for the benchmark."""
        arrays = (self.offsets, self.passage_ids, self.frequencies, self.lengths, self.approximate, self.term_idf,
                  self.norms)
        strings = sum(sys.getsizeof(term) for term in self.terms)
        return sum(a.nbytes for a in arrays) + strings + sys.getsizeof(self.terms) + sys.getsizeof(self.vocabulary)

    def occurrences(self) -> tuple[np.ndarray, np.ndarray]:
        """Every term occurrence as (term id, passage), the input ``from_occurrences`` takes back."""
        term_ids = np.repeat(np.arange(len(self.terms), dtype=np.int64), self.document_frequency)
        return np.repeat(term_ids, self.frequencies), np.repeat(self.passage_ids.astype(np.int64), self.frequencies)

    def idf(self, term: str) -> float:
        """The term's idf; unknown terms get the maximum, so they weigh heavily in coverage (remembered)."""
        known = self.remembered_idf.get(term)
        if known is None:
            term_id = self.vocabulary.get(term)
            frequency = 0 if term_id is None else int(self.offsets[term_id + 1] - self.offsets[term_id])
            known = self.remembered_idf[term] = float(lucene_idf(self.passage_count, frequency))
        return known

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Every passage's score, as ``ReferenceBM25.get_scores`` would give it."""
        ids, weights = self._exact(self._slices(query, None))
        return np.bincount(ids, weights=weights, minlength=self.passage_count)

    def scores_of(
        self, query: Sequence[str], positions: Sequence[int], query_weights: Sequence[float] | None = None
    ) -> np.ndarray:
        """The scores of the passages at ``positions`` (as ``top`` weighs the query), without scoring the rest."""
        wanted = np.asarray(positions, dtype=np.intp)
        order = np.argsort(wanted, kind="stable")
        totals = np.empty(len(wanted), dtype=np.float64)
        totals[order] = self._exact_totals(self._slices(query, query_weights), wanted[order])
        return totals

    def top(
        self, query: Sequence[str], k: int, query_weights: Sequence[float] | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` best (passage, score) pairs with a positive score, best first, ties by position.

        ``query_weights`` scale each query term's contribution (1.0 each when
        omitted, which is rank-bm25's sum). Only passages holding a query term
        are candidates (every contribution is positive), so zero-score
        passages never appear. Few postings are scored exactly and summed
        after sorting them; many are first added up in float32 over all
        passages (``SPARSE_QUERY_RATIO`` picks the cheaper), and the passages
        that float32 cannot tell from the k-th best are scored exactly.
        """
        slices = self._slices(query, query_weights)
        postings = sum(int(self.offsets[t + 1] - self.offsets[t]) for t, _ in slices)
        if k <= 0 or postings == 0:
            return []
        if postings < self.passage_count * SPARSE_QUERY_RATIO:
            ids, weights = self._exact(slices)
            # A stable sort keeps each passage's contributions in query order, so
            # bincount adds them up exactly as the dense pass (and rank-bm25) would.
            order = np.argsort(ids, kind="stable")
            ids = ids[order]
            first = _first_of_runs(ids)
            candidates, totals = ids[first], np.bincount(np.cumsum(first) - 1, weights=weights[order])
        else:
            candidates = self._approximate_candidates(slices, k)
            totals = self._exact_totals(slices, candidates)
        if candidates.size > max(k, FEW_CANDIDATES):
            # Keep everything tied with the k-th best, so ties are broken by position, not by partitioning.
            keep = totals >= _kth_largest(totals, k)
            candidates, totals = candidates[keep], totals[keep]
        # Usually a handful remain: sorting them in Python beats a few more numpy calls.
        ranked = sorted(zip(totals.tolist(), candidates.tolist()), key=lambda pair: (-pair[0], pair[1]))
        return [(passage, score) for score, passage in ranked[:k]]

    def _slices(self, query: Sequence[str], query_weights: Sequence[float] | None) -> list[tuple[int, float]]:
        """(term id, weight) of each query term the corpus has and that counts, in query order."""
        scale = [1.0] * len(query) if query_weights is None else list(query_weights)
        return [
            (term_id, factor)
            for term_id, factor in zip((self.vocabulary.get(term) for term in query), scale)
            if term_id is not None and factor > 0
        ]

    def _exact(self, slices: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        """The passage ids and exact contributions of the query's terms, in query order (as rank-bm25 sums them).

        Ids come back as ``intp``: numpy counts and indexes with int32 ids several times slower.
        """
        if not slices:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float64)
        parts = [self._exact_postings(term_id) for term_id, _ in slices]
        return (
            np.concatenate([ids for ids, _ in parts], dtype=np.intp),
            np.concatenate([w if f == 1.0 else w * f for (_, w), (_, f) in zip(parts, slices)]),
        )

    def _approximate_candidates(self, slices: list[tuple[int, float]], k: int) -> np.ndarray:
        """Every passage whose float32 total is within the float32 error bound of the k-th best, or better.

        Each float32 contribution (and its product with the term's weight) is
        within 2^-24 of the exact one relatively, and each float32 addition
        adds at most 2^-24 of the running total, so a total is off by less than
        ``margin``; a passage among the k best exactly is then within two
        margins of the k-th best float32 total.
        """
        totals = np.zeros(self.passage_count, dtype=np.float32)
        rare: tuple[int, int] | None = None  # (size, term id) of the rarest term with at least k postings
        ceiling = 0.0
        for term_id, factor in slices:
            postings = slice(self.offsets[term_id], self.offsets[term_id + 1])
            ids, contributions = self.scatter_ids[postings], self.approximate[postings]
            # ``add.at`` adds in one pass (``totals[ids] +=`` reads, adds and writes back): a term's ids are distinct.
            np.add.at(totals, ids, contributions if factor == 1.0 else contributions * np.float32(factor))
            ceiling += factor * float(self.term_idf[term_id]) * (self.k1 + 1)
            if len(ids) >= k and (rare is None or len(ids) < rare[0]):
                rare = (len(ids), term_id)
        margin = (len(slices) + 4) * 2.0**-23 * ceiling
        if rare is None:
            floor = 0.0  # the passages of no single term number k: any positive total may be among the best
        else:
            # The k-th best total among one term's passages is at most the k-th best overall.
            floor = _kth_largest(totals[self.scatter_ids[self.offsets[rare[1]]:self.offsets[rare[1] + 1]]], k)
        candidates = np.flatnonzero(totals >= max(floor - 2 * margin, np.finfo(np.float32).tiny))
        near = totals[candidates]
        if candidates.size > k:
            candidates = candidates[near >= _kth_largest(near, k) - 2 * margin]
        return candidates

    def _exact_totals(self, slices: list[tuple[int, float]], candidates: np.ndarray) -> np.ndarray:
        """The exact scores of ``candidates`` (sorted passage ids), summed in query order as ``scores`` sums them.

        One binary search per term finds where each candidate would be among
        its postings; the rest is done for all terms at once, on a (term x
        candidate) table whose contributions are 0 where the term is absent
        (adding 0.0 changes no total), summed down the terms by a running sum,
        which adds in query order.
        """
        if not slices or not len(candidates):
            return np.zeros(len(candidates), dtype=np.float64)
        term_ids = np.array([term_id for term_id, _ in slices], dtype=np.intp)
        firsts, lasts = self.offsets[term_ids], self.offsets[term_ids + 1]
        positions = np.empty((len(slices), len(candidates)), dtype=np.intp)
        for row, (first, last) in enumerate(zip(firsts.tolist(), lasts.tolist())):
            positions[row] = np.searchsorted(self.passage_ids[first:last], candidates)
        positions += firsts[:, np.newaxis]
        np.minimum(positions, lasts[:, np.newaxis] - 1, out=positions)
        passages = self.passage_ids[positions]
        contributions = self._contributions(
            passages, self.frequencies[positions], self.term_idf[term_ids][:, np.newaxis]
        )
        contributions *= np.array([factor for _, factor in slices])[:, np.newaxis]
        contributions[passages != candidates] = 0.0
        return np.cumsum(contributions, axis=0)[-1]


def _term_ranges(counts: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Consecutive ranges of term ids, each with about ``size`` occurrences (a term is never split)."""
    ends = np.searchsorted(np.cumsum(counts), np.arange(size, int(counts.sum()) + size, size), side="right")
    bounds = sorted({0, len(counts), *np.minimum(ends, len(counts)).tolist()})
    return list(pairwise(bounds))


def _keys(
    term_ids: np.ndarray, passages: np.ndarray, first: int, last: int, renumber: np.ndarray, passage_count: int
) -> np.ndarray:
    """``term * passage_count + passage`` (terms renumbered) of the occurrences of terms ``first`` to ``last``."""
    inside = (term_ids >= first) & (term_ids < last)
    keys = renumber[term_ids[inside]]
    keys *= passage_count
    keys += passages[inside]
    return keys


def narrowest(array: np.ndarray, dtypes: Sequence[str]) -> np.ndarray:
    """``array`` as the first of ``dtypes`` that holds all its values: most term frequencies fit a byte."""
    for dtype in map(np.dtype, dtypes):
        if dtype.kind == "f" or not len(array) or (
            np.iinfo(dtype).min <= array.min() and array.max() <= np.iinfo(dtype).max
        ):
            return np.asarray(array, dtype=dtype)
    raise ValueError("values too large for their array")


def term_occurrences(corpus: Sequence[Sequence[str]], vocabulary: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(term id, position in ``corpus``) of every token; the one per-token pass of a build, kept in C loops."""
    lengths = np.fromiter(map(len, corpus), dtype=np.int64, count=len(corpus))
    term_ids = np.fromiter(
        map(vocabulary.__getitem__, chain.from_iterable(corpus)), dtype=np.int64, count=int(lengths.sum())
    )
    return term_ids, np.repeat(np.arange(len(corpus), dtype=np.int64), lengths)


def _first_of_runs(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values of a sorted array starts, as a mask."""
    first = np.ones(values.size, dtype=bool)
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return first


def _kth_largest(values: np.ndarray, k: int) -> float:
    """The k-th largest of ``values`` (which has at least ``k``), in linear time."""
    return float(np.partition(values, values.size - k)[values.size - k])
