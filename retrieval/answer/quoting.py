"""Inside the best passage, the sentence or two that answer the question.

A passage is context; the quote is the answer. Sentences are scored by the
idf-weighted share of the question's terms they contain, so the sentence
holding the rare, specific words of a question wins over one that merely
repeats the topic; a neighbouring sentence joins the quote when it holds a
good part of what the first one lacks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from quotebot.retrieval.answer.matching import Match, match, weighted_share
from quotebot.retrieval.answer.questions import Question, analyze
from quotebot.retrieval.index.tokens import terms, word_spans
from quotebot.retrieval.ingest.sentences import sentence_spans

MAX_QUOTE_SENTENCES = 2
# Added to a sentence's share when the question asks for a number and the sentence gives one.
NUMBER_BONUS = 0.25
# Passages whose sentences stay analysed between questions.
SENTENCE_CACHE_PASSAGES = 20_000
# Share of the question a neighbour must add to be quoted too.
MIN_NEIGHBOUR_GAIN = 0.15


@dataclass(frozen=True)
class Quote:
    """A verbatim span of a passage's text."""

    start: int
    end: int
    text: str


def sentence_matches(text: str, question: Question, idf: Callable[[str], float]) -> list[tuple[int, int, Match]]:
    """Each sentence's span and what of the question it holds.

    A question asking "how many" or "when" is answered by a sentence with a
    number in it that the question does not already give, so such a sentence
    gets ``NUMBER_BONUS`` added to its share.
    """
    asked = set(question.terms)
    scored = []
    for a, b, found in _sentences_with_terms(text):
        result = match(question, found, idf)
        if question.wants_number and any(term[0].isdigit() and term not in asked for term in found):
            result = Match(result.found, result.share + NUMBER_BONUS)
        scored.append((a, b, result))
    return scored


@lru_cache(maxsize=SENTENCE_CACHE_PASSAGES)
def _sentences_with_terms(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """Sentence spans and terms of a passage; cached because every question re-reads its candidates."""
    spans = sentence_spans(text) or [(0, len(text))]
    return tuple((a, b, frozenset(terms(text[a:b]))) for a, b in spans)


def best_sentence_share(text: str, question: Question, idf: Callable[[str], float]) -> float:
    """How much of the question the passage's best single sentence holds: answers sit in one sentence."""
    return max(found.share for _, _, found in sentence_matches(text, question, idf))


def choose_quote(text: str, question: Question, idf: Callable[[str], float]) -> Quote:
    """The best sentence of ``text``, plus its neighbour when that adds enough of the question."""
    sentences = sentence_matches(text, question, idf)
    spans = [(a, b) for a, b, _ in sentences]
    found = [m for _, _, m in sentences]
    best = max(range(len(spans)), key=lambda i: (found[i].share, -i))
    first = last = best
    covered = set(found[best].found)
    for neighbour in (best + 1, best - 1):
        if last - first + 1 >= MAX_QUOTE_SENTENCES or not 0 <= neighbour < len(spans):
            continue
        gain = weighted_share(question, found[neighbour].found - covered, idf)
        if gain >= MIN_NEIGHBOUR_GAIN:
            covered |= found[neighbour].found
            first, last = min(first, neighbour), max(last, neighbour)
    start, end = spans[first][0], spans[last][1]
    return Quote(start, end, text[start:end])


def highlight_spans(text: str, question: Question) -> tuple[tuple[int, int], ...]:
    """Spans of the words of ``text`` that match a topic term of the question or one of its synonyms."""
    wanted = set(question.topic_terms) | set(question.expansion_terms())
    merged: list[tuple[int, int]] = []
    for a, b in word_spans(text):
        if not wanted.intersection(terms(text[a:b])):
            continue
        if merged and not text[merged[-1][1]:a].strip():
            # Neighbouring words ("South Korea") make one emphasis, not two.
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return tuple(merged)


def highlight_question(text: str, question: str) -> tuple[tuple[int, int], ...]:
    """``highlight_spans`` for a question as typed: front ends showing another passage of an answer."""
    return highlight_spans(text, analyze(question))
