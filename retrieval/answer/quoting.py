"""Inside the best passage, the sentence or two that answer the question.

A passage is context; the quote is the answer. Sentences are scored by the
idf-weighted share of the question's terms they contain, so the sentence
holding the rare, specific words of a question wins over one that merely
repeats the topic; a neighbouring sentence joins the quote when it holds a
good part of what the first one lacks.

The sentences and their terms come from the index (``SentenceTable``), where
they were analysed once, when the passage was indexed: at question time all
candidates' sentences are scored together by array operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quotebot.retrieval.answer.matching import QuestionTerms
from quotebot.retrieval.answer.questions import Question, analyze
from quotebot.retrieval.index.sentence_table import SentenceBatch
from quotebot.retrieval.index.tokens import piece_terms, word_spans

MAX_QUOTE_SENTENCES = 2
# Added to a sentence's share when the question asks for a number and the sentence gives one.
NUMBER_BONUS = 0.25
# Share of the question a neighbour must add to be quoted too.
MIN_NEIGHBOUR_GAIN = 0.15


@dataclass(frozen=True)
class Quote:
    """A verbatim span of a passage's text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, eq=False)
class SentenceMatches:
    """What of the question each sentence of some candidate passages holds.

    Rows follow ``batch.sentences``: ``present`` (row x ``terms.columns``)
    marks the question's terms a sentence has, ``found`` (row x
    ``terms.wanted``) the topic terms it holds, ``shares`` is its share of
    the question, with ``NUMBER_BONUS`` added where it applies.
    """

    terms: QuestionTerms
    batch: SentenceBatch
    present: np.ndarray
    found: np.ndarray
    shares: np.ndarray

    def best_shares(self) -> list[float]:
        """Each passage's best sentence share: answers sit in one sentence."""
        return np.maximum.reduceat(self.shares, self.batch.bounds[:-1]).tolist() if len(self.shares) else []

    def rows(self, passage: int) -> slice:
        """The rows of the sentences of the ``passage``-th passage of the batch."""
        return slice(int(self.batch.bounds[passage]), int(self.batch.bounds[passage + 1]))


def match_sentences(
    question: Question, terms: QuestionTerms, batch: SentenceBatch, number_terms: np.ndarray
) -> SentenceMatches:
    """Score every sentence of ``batch`` against the question.

    A question asking "how many" or "when" is answered by a sentence with a
    number in it that the question does not already give, so such a sentence
    gets ``NUMBER_BONUS`` added to its share. ``number_terms`` flags the
    vocabulary's number terms.
    """
    rows = len(batch.sentences)
    present = terms.presence(batch.term_ids, batch.term_rows, rows)
    found = terms.found(present)
    shares = terms.shares(found)
    if question.wants_number and len(batch.term_ids):
        new_numbers = number_terms[batch.term_ids] & ~np.isin(batch.term_ids, terms.asked)
        gives_number = np.zeros(rows, dtype=bool)
        gives_number[batch.term_rows[new_numbers]] = True
        shares[gives_number] += NUMBER_BONUS
    return SentenceMatches(terms, batch, present, found, shares)


def choose_quote(text: str, spans: list[tuple[int, int]], matches: SentenceMatches, passage: int) -> Quote:
    """The best sentence of the batch's ``passage``-th passage (its ``text`` and sentence ``spans``), plus its
    neighbour when that adds enough of the question."""
    rows = matches.rows(passage)
    found, shares = matches.found[rows], matches.shares[rows]
    best = int(np.argmax(shares))  # the first of equals
    first = last = best
    covered = found[best].copy()
    for neighbour in (best + 1, best - 1):
        if last - first + 1 >= MAX_QUOTE_SENTENCES or not 0 <= neighbour < len(spans):
            continue
        gain = matches.terms.share(found[neighbour] & ~covered)
        if gain >= MIN_NEIGHBOUR_GAIN:
            covered |= found[neighbour]
            first, last = min(first, neighbour), max(last, neighbour)
    start, end = spans[first][0], spans[last][1]
    return Quote(start, end, text[start:end])


def highlight_spans(text: str, question: Question) -> tuple[tuple[int, int], ...]:
    """Spans of the words of ``text`` that match a topic term of the question or one of its synonyms."""
    wanted = set(question.topic_terms) | set(question.expansion_terms())
    merged: list[tuple[int, int]] = []
    for a, b in word_spans(text):
        # A word holds no white space: its terms are those of one piece of text.
        if wanted.isdisjoint(piece_terms(text[a:b])):
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
