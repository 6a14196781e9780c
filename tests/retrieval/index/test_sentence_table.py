"""The sentence table: each passage's sentences and their term ids, gathered and re-ordered by array work alone."""

from __future__ import annotations

import numpy as np
import pytest

from quotebot.retrieval.index.sentence_table import SentenceTable

# Passage 0: two sentences (terms 1 2 | 3); passage 1: one sentence without terms; passage 2: (4 | 5 6 | 1).
TABLE = SentenceTable.from_spans(
    [[(0, 10), (11, 20)], [(0, 5)], [(0, 3), (4, 9), (10, 12)]],
    [2, 1, 0, 1, 2, 1],
    np.array([1, 2, 3, 4, 5, 6, 1]),
)


def test_a_passages_sentences_spans_and_terms_are_read_back() -> None:
    assert TABLE.passage_count == 3 and TABLE.sentence_count == 6
    assert TABLE.sentence_range(2) == range(3, 6)
    assert TABLE.spans(0) == [(0, 10), (11, 20)]
    assert [TABLE.sentence_terms(s).tolist() for s in range(6)] == [[1, 2], [3], [], [4], [5, 6], [1]]


def test_gather_lists_the_asked_passages_sentences_and_terms_in_the_order_asked() -> None:
    batch = TABLE.gather([2, 0, 1])
    assert batch.sentences.tolist() == [3, 4, 5, 0, 1, 2]
    assert batch.owners.tolist() == [0, 0, 0, 1, 1, 2]
    assert batch.bounds.tolist() == [0, 3, 5, 6]
    assert batch.term_ids.tolist() == [4, 5, 6, 1, 1, 2, 3]
    assert batch.term_rows.tolist() == [0, 1, 1, 2, 3, 3, 4]


def test_select_keeps_and_reorders_passages_and_renumbers_their_terms() -> None:
    renumber = np.arange(10) * 10
    picked = TABLE.select(np.array([2, 0]), renumber)
    assert picked.passage_offsets.tolist() == [0, 3, 5]
    assert picked.spans(0) == [(0, 3), (4, 9), (10, 12)]
    assert [picked.sentence_terms(s).tolist() for s in range(5)] == [[40], [50, 60], [10], [10, 20], [30]]
    joined = SentenceTable.concatenate([picked, TABLE.select(np.array([1]))])
    assert joined.passage_count == 3 and joined.spans(2) == [(0, 5)]
    joined.validate(np.array([12, 20, 5]), vocabulary_size=61)


@pytest.mark.parametrize(
    ("lengths", "vocabulary", "reason"),
    [
        (np.array([20, 5, 12]), 7, None),
        (np.array([19, 5, 12]), 7, "outside their passages"),
        (np.array([20, 5, 12]), 6, "outside the vocabulary"),
        (np.array([20, 5]), 7, "shapes"),
    ],
)
def test_validate_refuses_spans_past_a_passage_and_ids_past_the_vocabulary(
    lengths: np.ndarray, vocabulary: int, reason: str | None
) -> None:
    if reason is None:
        TABLE.validate(lengths, vocabulary)
        return
    with pytest.raises(ValueError, match=reason):
        TABLE.validate(lengths, vocabulary)
