"""Inside the best passage, the sentence or two that answer the question.

A passage is context; the quote is the answer. Sentences are scored by the
idf-weighted share of the question's terms they contain, so the sentence
holding the rare, specific words of a question wins over one that merely
repeats the topic.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from retrieval.sentences import sentence_spans
from retrieval.tokens import terms, word_spans

MAX_QUOTE_SENTENCES = 2
_MIN_GAIN = 0.15


@dataclass(frozen=True)
class Quote:
    """A verbatim span of a passage's text."""

    start: int
    end: int
    text: str


def choose_quote(text: str, query_terms: Collection[str], idf: Callable[[str], float]) -> Quote:
    """The best sentence of ``text``, plus its neighbour when that adds enough of the question."""
    spans = sentence_spans(text) or [(0, len(text))]
    wanted = set(query_terms)
    total = sum(idf(term) for term in wanted) or 1.0
    sentence_terms = [wanted.intersection(terms(text[a:b])) for a, b in spans]

    def weight(found: set[str]) -> float:
        return sum(idf(term) for term in found) / total

    best = max(range(len(spans)), key=lambda i: (weight(sentence_terms[i]), -i))
    first = last = best
    covered = set(sentence_terms[best])
    for neighbour in (best + 1, best - 1):
        if last - first + 1 >= MAX_QUOTE_SENTENCES or not 0 <= neighbour < len(spans):
            continue
        gain = weight(sentence_terms[neighbour] - covered)
        if gain >= _MIN_GAIN:
            covered |= sentence_terms[neighbour]
            first, last = min(first, neighbour), max(last, neighbour)
    start, end = spans[first][0], spans[last][1]
    return Quote(start, end, text[start:end])


def highlight_spans(text: str, query_terms: Collection[str]) -> tuple[tuple[int, int], ...]:
    """Spans of the words of ``text`` whose terms are among ``query_terms``."""
    wanted = set(query_terms)
    return tuple((a, b) for a, b in word_spans(text) if wanted.intersection(terms(text[a:b])))
