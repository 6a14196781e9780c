"""Sentence and passage evidence the slow way: analyse each candidate passage at question time, match with sets.

The engine reads sentences and their terms from the index (``SentenceTable``)
and scores them with array operations (``sentence_evidence``), and takes a
passage's terms from its sentences' and its heading's and title's. This
module computes the same figures from the passage's text, as the answer path
once did, so the tests can hold the two equal. Shares add their idf values
in the terms' sorted order, as the array path does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from itertools import pairwise

from quotebot.retrieval.answer.answer_type import NUMBER_WORDS, AnswerType
from quotebot.retrieval.answer.questions import Question
from quotebot.retrieval.index.analysis import FIELD_REPEAT
from quotebot.retrieval.index.tokens import terms
from quotebot.retrieval.ingest.models import Passage
from quotebot.retrieval.ingest.sentences import sentence_spans


def sentence_figures(
    text: str, question: Question, idf: Callable[[str], float]
) -> list[tuple[tuple[int, int], float, float, bool, bool]]:
    """Each sentence's span, share of the question, share of its word pairs, whether it gives a new number, and
    whether it repeats a number of the question."""
    wanted = sorted(set(question.topic_terms))
    total = _in_order([idf(term) for term in wanted])
    pairs = set(pairwise(question.topic_terms))
    number_words = _number_word_terms()
    figures = []
    for a, b, sentence, present in _analysed_sentences(text):
        found = [term for term in wanted if _held(term, present, question)]
        share = _in_order([idf(term) for term in found]) / total if total else 0.0
        held_pairs = len(pairs & set(pairwise(sentence))) / len(pairs) if pairs else 0.0
        new_number = question.answer_type is AnswerType.NUMBER and any(
            (term[:1].isdigit() or term in number_words) and term not in question.terms for term in sentence
        )
        repeats_number = any(term[:1].isdigit() and term in present for term in question.terms)
        figures.append(((a, b), share, held_pairs, new_number, repeats_number))
    return figures


@lru_cache(maxsize=50_000)
def _analysed_sentences(text: str) -> tuple[tuple[int, int, list[str], frozenset[str]], ...]:
    """Each sentence's span, terms and set of terms: what does not depend on the question, analysed once per text
    (a passage is a candidate for many questions)."""
    spans = sentence_spans(text) or [(0, len(text))]
    return tuple((a, b, sentence, frozenset(sentence)) for a, b in spans for sentence in [terms(text[a:b])])


@lru_cache(maxsize=1)
def _number_word_terms() -> frozenset[str]:
    return frozenset(term for word in NUMBER_WORDS for term in terms(word))


def sentence_found(text: str, question: Question) -> list[frozenset[str]]:
    """Each sentence's topic terms of the question (the whole quote's share is read from them)."""
    wanted = set(question.topic_terms)
    return [frozenset(term for term in wanted if _held(term, present, question)) for *_, present in _analysed_sentences(text)]


def passage_found(passage: Passage, question: Question) -> frozenset[str]:
    """The question's topic terms that the passage, as indexed (its text, heading and title), holds."""
    fields = terms(passage.section or "") + terms(passage.document.title)
    present = set(terms(passage.text) + fields * FIELD_REPEAT)
    return frozenset(term for term in question.topic_terms if _held(term, present, question))


def _held(term: str, present: set[str], question: Question) -> bool:
    return term in present or any(set(phrase) <= present for phrase in question.alternatives.get(term, ()) if phrase)


def _in_order(values: list[float]) -> float:
    total = 0.0
    for value in values:
        total += value
    return total
