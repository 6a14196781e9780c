"""Sentence evidence the slow way: split and analyse each candidate passage at question time, match with sets.

The engine reads sentences and their terms from the index (``SentenceTable``)
and scores them with array operations (``sentence_evidence``). This module
computes the same per-sentence figures from the passage's text, as the
answer path once did, so the tests can hold the two equal. Shares add their
idf values in the terms' sorted order, as the array path does.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from quotebot.retrieval.answer.answer_type import NUMBER_WORDS, AnswerType
from quotebot.retrieval.answer.questions import Question
from quotebot.retrieval.index.tokens import terms
from quotebot.retrieval.ingest.sentences import sentence_spans


def sentence_figures(
    text: str, question: Question, idf: Callable[[str], float]
) -> list[tuple[tuple[int, int], float, float, bool]]:
    """Each sentence's span, share of the question, share of its word pairs, and whether it gives a new number."""
    wanted = sorted(set(question.topic_terms))
    total = _in_order([idf(term) for term in wanted])
    pairs = set(pairwise(question.topic_terms))
    number_words = {term for word in NUMBER_WORDS for term in terms(word)}
    figures = []
    for a, b in sentence_spans(text) or [(0, len(text))]:
        sentence = terms(text[a:b])
        present = set(sentence)
        found = [
            term
            for term in wanted
            if term in present or any(set(phrase) <= present for phrase in question.alternatives.get(term, ()) if phrase)
        ]
        share = _in_order([idf(term) for term in found]) / total if total else 0.0
        held_pairs = len(pairs & set(pairwise(sentence))) / len(pairs) if pairs else 0.0
        new_number = question.answer_type is AnswerType.NUMBER and any(
            (term[:1].isdigit() or term in number_words) and term not in question.terms for term in sentence
        )
        figures.append(((a, b), share, held_pairs, new_number))
    return figures


def _in_order(values: list[float]) -> float:
    total = 0.0
    for value in values:
        total += value
    return total
