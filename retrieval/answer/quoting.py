"""Inside the best passage, the sentence that answers the question, and a neighbour only when it completes it.

A passage is context; the quote is the answer. Each sentence is scored by
the share of the question's words it holds, its meaning (when the semantic
model is on) and whether it offers the kind of answer asked for
(``sentence_evidence``). The next or previous sentence joins the quote only
when it completes the best one: it scores nearly as well, it holds the
wanted kind of answer the best one lacks, it carries the best one's subject
on ("This takes two forms, …") or supplies the one the best one refers to,
or it continues a figure ("From the mid-1990s until the end of 2019, some
33,523 defectors resettled in South Korea. The number who resettled during
2019, however, … 1,047 last year."). The weights and rules were chosen on
half of the SQuAD articles and checked on the other half
(``bench/calibrate_confidence.py`` reports both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from quotebot.retrieval.answer.answer_type import AnswerType
from quotebot.retrieval.answer.questions import Question, analyze
from quotebot.retrieval.answer.sentence_evidence import SentenceEvidence
from quotebot.retrieval.index.tokens import piece_terms, word_spans

# A sentence's score: its share of the question's words, plus these times its cosine and its offering the answer kind.
COSINE_WEIGHT = 0.5
ANSWER_KIND_WEIGHT = 0.1
# For a number or date question naming a number ("in 2019"): added to a sentence that names it and offers an
# answer besides, which states that year's figure rather than another year's.
QUESTION_NUMBER_WEIGHT = 0.1
# A quote is the best sentence and at most one neighbour. One scoring within this of the best is quoted too.
NEIGHBOUR_TIE = 0.3
# A neighbour joined for carrying the subject on must still score this much.
MIN_CONTINUATION_SCORE = 0.3
# For a number or date question: a next sentence with another figure continues the best one's when it names the
# question's own number ("during 2019") or holds this share of the question.
MIN_FIGURE_CONTINUATION_SHARE = 0.2
# A sentence whose question or colon is followed by less than this asks or introduces what the next one says;
# a reply as short ("Yes.") needs the next one too.
MIN_REPLY_CHARS = 12
_MARKUP = " *_\"”’)"
# Words that start a sentence continuing the one before it.
_CONTINUES = re.compile(
    r"^\W*(this|these|that|those|they|it|he|she|its|their|his|her|such|both|there|the latter|the former)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quote:
    """A verbatim span of a passage's text."""

    start: int
    end: int
    text: str


def sentence_scores(evidence: SentenceEvidence) -> np.ndarray:
    """How well each sentence answers: its words, its meaning, the kind of answer it offers."""
    offers = evidence.offers_answer
    scores = evidence.lexical + ANSWER_KIND_WEIGHT * offers + QUESTION_NUMBER_WEIGHT * (
        offers & evidence.repeats_question_number
    )
    if evidence.cosines is not None:
        scores = scores + COSINE_WEIGHT * evidence.cosines
    return scores


def choose_quote(text: str, evidence: SentenceEvidence, question: Question) -> Quote:
    """The best sentence of ``text``, with the neighbour that completes it, if one does.

    When the best sentence lacks the kind of answer asked for and a neighbour
    offers it, the quote is built around that neighbour instead: the answer
    sits there, and the best sentence was only its context. A neighbour with
    a reason of its own (the answer kind, a continued subject or figure) is
    preferred to one that merely scores nearly as well.
    """
    scores = sentence_scores(evidence)
    best = int(np.argmax(scores))
    offering = [n for n in (best + 1, best - 1) if 0 <= n < len(scores) and evidence.offers_answer[n]]
    if offering and not evidence.offers_answer[best]:
        best = max(offering, key=lambda n: scores[n])
    neighbours = [n for n in (best + 1, best - 1) if 0 <= n < len(scores)]
    completing = [n for n in neighbours if _completes(text, evidence, scores, question, best, n)]
    tied = [n for n in neighbours if scores[best] - scores[n] <= NEIGHBOUR_TIE]
    first = last = best
    if completing or tied:
        neighbour = max(completing or tied, key=lambda n: scores[n])
        first, last = min(best, neighbour), max(best, neighbour)
    last = _through_the_reply(text, evidence.spans, first, last)
    start, end = evidence.spans[first][0], evidence.spans[last][1]
    return Quote(start, end, text[start:end])


def _through_the_reply(text: str, spans: tuple[tuple[int, int], ...], first: int, last: int) -> int:
    """The last sentence to quote: past a question or an introduction ("…?", "… are:"), through its reply.

    A FAQ's question ("**Can two boats share a tile?**") repeats the member's words but answers nothing; the
    reply follows it, and a bare "Yes." or "No." needs the sentence after it too.
    """
    if not any(_asks_or_introduces(text[slice(*spans[n])]) for n in range(first, last + 1)):
        return last
    for _ in range(2):
        sentence = text[slice(*spans[last])]
        replied = not _asks_or_introduces(sentence) and len(sentence.strip(_MARKUP)) >= MIN_REPLY_CHARS
        if replied or last + 1 >= len(spans):
            break
        last += 1
    return last


def _asks_or_introduces(sentence: str) -> bool:
    """Whether the sentence ends in a question or a colon, give or take a few characters of markup or reply."""
    asked = max(sentence.rfind("?"), sentence.rfind(":"))
    return asked >= 0 and len(sentence[asked + 1:].strip(_MARKUP)) < MIN_REPLY_CHARS


def _completes(
    text: str, evidence: SentenceEvidence, scores: np.ndarray, question: Question, best: int, neighbour: int
) -> bool:
    """Whether ``neighbour`` holds what the best sentence lacks: the answer kind, its subject, or the rest of a figure."""
    offers = evidence.offers_answer
    after = neighbour == best + 1
    if offers[neighbour] and not offers[best]:
        return True
    continued = _CONTINUES.match(text[slice(*evidence.spans[neighbour if after else best])])
    if continued and scores[neighbour] >= MIN_CONTINUATION_SCORE:
        return True
    return (
        after
        and question.answer_type in (AnswerType.NUMBER, AnswerType.DATE)
        and bool(offers[best] and offers[neighbour])
        and bool(
            evidence.repeats_question_number[neighbour]
            or evidence.lexical[neighbour] >= MIN_FIGURE_CONTINUATION_SHARE
        )
    )


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
