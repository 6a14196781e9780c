"""quotebot's sparse BM25 against rank-bm25: the traps it must avoid and the scores it must equal."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotebot.retrieval.index import bm25 as bm25_module
from quotebot.retrieval.index.bm25 import ReferenceBM25, SparseBM25

WORDS = [f"w{i}" for i in range(12)]
# rank-bm25 divides by the average length, so its scores are only defined when some passage has a term.
corpora = st.lists(st.lists(st.sampled_from(WORDS), max_size=12), min_size=1, max_size=40).filter(any)
queries = st.lists(st.sampled_from([*WORDS, "absent"]), min_size=1, max_size=6)


@pytest.fixture(params=["sparse", "dense"])
def query_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test through both ways ``top`` adds up postings (sorting them, or one dense pass)."""
    monkeypatch.setattr(bm25_module, "SPARSE_QUERY_RATIO", float("inf") if request.param == "sparse" else 0.0)
    return request.param


def test_empty_corpus_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ValueError, match="empty corpus"):
        SparseBM25.build([])


def test_one_passage_corpus_scores_a_match_positively(query_path: str) -> None:
    index = SparseBM25.build([["defector", "korea"]])
    [(passage, score)] = index.top(["defector"], 10)
    assert passage == 0 and score > 0


def test_two_passage_corpus_scores_matches_positively(query_path: str) -> None:
    index = SparseBM25.build([["defector", "korea"], ["defector", "china"]])
    assert [passage for passage, _ in index.top(["china"], 10)] == [1]
    both = index.top(["defector"], 10)
    assert [passage for passage, _ in both] == [0, 1] and all(score > 0 for _, score in both)


def test_term_in_more_than_half_the_passages_still_scores_positively(query_path: str) -> None:
    index = SparseBM25.build([["korea"], ["korea", "china"], ["korea"], ["china"]])
    found = index.top(["korea"], 10)
    assert [passage for passage, _ in found] == [0, 2, 1]  # shorter passages first, then by position
    assert all(score > 0 for _, score in found)
    assert index.idf("korea") > 0


def test_zero_score_passages_are_never_returned(query_path: str) -> None:
    index = SparseBM25.build([["a"], ["b"], ["c"], ["a", "b"], []])
    assert [passage for passage, _ in index.top(["a"], 10)] == [0, 3]
    assert index.top(["absent"], 10) == []
    assert index.top([], 10) == []


def test_ties_are_ordered_by_position_even_when_k_cuts_through_them(query_path: str) -> None:
    index = SparseBM25.build([["other"], *[["same", "text"]] * 8])
    assert [passage for passage, _ in index.top(["same"], 3)] == [1, 2, 3]
    assert [passage for passage, _ in index.top(["same", "other"], 2)] == [0, 1]


def test_a_corpus_without_terms_matches_nothing(query_path: str) -> None:
    assert SparseBM25.build([[], []]).top(["a"], 10) == []


def test_non_positive_k_returns_nothing() -> None:
    assert SparseBM25.build([["a"]]).top(["a"], 0) == []


def test_query_weights_scale_each_terms_contribution(query_path: str) -> None:
    corpus = [["a", "b"], ["b"], ["a", "c"]]
    index, reference = SparseBM25.build(corpus), ReferenceBM25(corpus)
    weighted = dict(index.top(["a", "b"], 10, [1.0, 0.5]))
    expected = reference.get_scores(["a"]) + 0.5 * reference.get_scores(["b"])
    assert weighted == pytest.approx({i: s for i, s in enumerate(expected) if s > 0}, abs=1e-12)
    assert index.top(["a", "b"], 10, [1.0, 1.0]) == index.top(["a", "b"], 10)
    assert [p for p, _ in index.top(["a", "b"], 10, [0.0, 1.0])] == [1, 0]  # a weight of 0 drops the term


@settings(max_examples=300, deadline=None)
@given(corpus=corpora, query=queries)
def test_scores_equal_rank_bm25(corpus: list[list[str]], query: list[str]) -> None:
    expected = ReferenceBM25(corpus).get_scores(query)
    np.testing.assert_allclose(SparseBM25.build(corpus).scores(query), expected, atol=1e-6)


@settings(max_examples=300, deadline=None)
@given(corpus=corpora, query=queries, sparse=st.booleans())
def test_top_10_equals_rank_bm25s_ranking(corpus: list[list[str]], query: list[str], sparse: bool) -> None:
    """Same passages and scores as rank-bm25's ranking, where a tie may be broken either way but only by position."""
    reference = ReferenceBM25(corpus).get_scores(query)
    expected = sorted((-score, i) for i, score in enumerate(reference) if score > 0)[:10]
    with patch.object(bm25_module, "SPARSE_QUERY_RATIO", float("inf") if sparse else 0.0):
        found = SparseBM25.build(corpus).top(query, 10)
    assert len(found) == len(expected)
    for (passage, score), (negative, _) in zip(found, expected):
        assert score == pytest.approx(-negative, abs=1e-6)
        assert reference[passage] == pytest.approx(score, abs=1e-6)
    assert [passage for passage, _ in found] == [i for _, i in expected]  # exact ties: lowest position first


def test_equal_corpora_give_equal_arrays_whatever_order_their_terms_came_in() -> None:
    """Terms are numbered in sorted order, so equal corpora give equal arrays (what the cache relies on)."""
    first = SparseBM25.build([["b", "a"], ["c"]])
    second = SparseBM25.from_occurrences(
        ["a", "b", "c", "unused"], np.array([2, 0, 1]), np.array([1, 0, 0]), passage_count=2
    )
    assert first.terms == second.terms == ("a", "b", "c")
    for name in ("offsets", "passage_ids", "frequencies", "lengths", "weights"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    first.validate()


def test_validate_rejects_inconsistent_arrays() -> None:
    good = SparseBM25.build([["a", "b"], ["b"]])
    broken = SparseBM25(good.terms, good.offsets, good.passage_ids, good.frequencies + 1, good.lengths)
    with pytest.raises(ValueError, match="postings"):
        broken.validate()
    with pytest.raises(ValueError, match="shapes"):
        SparseBM25(good.terms[::-1], good.offsets, good.passage_ids, good.frequencies, good.lengths).validate()
