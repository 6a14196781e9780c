"""What kind of answer a question wants, and whether a sentence offers one.

"How many defectors reached South Korea in 2019?" is answered by a sentence
holding a number that the question does not already give ("1,047"), not by
the sentence that repeats the question's own words and year. The wh-word
says what to look for: how many / how much → a number, when / what year → a
date, who → a person's name, where → a place's name, why / how come → a
reason ("because", "due to", "suggested that this … was due to"). Without a tagger, names
are capitalised words that do not start the sentence and are not in the
question; that is crude but cheap, and it is only one signal among several
in the quote choice (``quoting``), weighed as measured there.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache

from quotebot.retrieval.index.tokens import terms


class AnswerType(Enum):
    NUMBER = "number"
    DATE = "date"
    PERSON = "person"
    PLACE = "place"
    REASON = "reason"


_NUMBER_QUESTION = re.compile(
    r"\b(how\s+(many|much|long|old|far|often|big|large|tall|high|fast)|what\s+(percent\w*|proportion|share|"
    r"number|amount|fraction|size|rate)|number\s+of|percentage\s+of|amount\s+of)\b",
    re.IGNORECASE,
)
_DATE_QUESTION = re.compile(
    r"\b(when|what\s+(year|date|day|month|century|decade|time)|which\s+(year|date|day|month|century|decade)"
    r"|in\s+what\s+year|since\s+when)\b",
    re.IGNORECASE,
)
_PERSON_QUESTION = re.compile(r"\b(who|whom|whose)\b", re.IGNORECASE)
_REASON_QUESTION = re.compile(
    r"\b(why|how\s+come|what\s+(caused|causes|made|makes|led\s+to|leads\s+to)|for\s+what\s+reason"
    r"|(what|which)('?s|\s+(is|was|are|were))\s+the\s+(reason|cause)s?)\b",
    re.IGNORECASE,
)
# What a sentence giving a reason says: "because", "due to", "suggested that this … was due to", "so that".
_REASON = re.compile(
    r"\b(because|due\s+to|owing\s+to|thanks\s+to|as\s+a\s+result|result(s|ed)?\s+(of|from)|caused\s+by|so\s+that"
    r"|in\s+order\s+to|reasons?|led\s+to|attributed\s+to|blamed|explains?|since\s+(the|it|they|he|she|this))\b",
    re.IGNORECASE,
)
_PLACE_QUESTION = re.compile(
    r"\b(where|what\s+(country|city|state|region|place|town|continent|nation)"
    r"|which\s+(country|city|state|region|place|town|continent|nation))\b",
    re.IGNORECASE,
)
NUMBER_WORDS = frozenset(
    ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "dozen", "dozens", "hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion", "billions", "trillion", "half", "third", "quarter", "percent"]
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE = re.compile(
    rf"\b(1\d{{3}}|20\d{{2}})s?\b|\b\d{{1,2}}(st|nd|rd|th)\s+century\b|\b({_MONTHS})\.?\s+\d|\b\d{{1,2}}\s+({_MONTHS})\b"
    r"|\b(century|decade|centuries|decades)\b",
    re.IGNORECASE,
)
# Every match of ``_DATE`` holds one of these: a sentence without any holds no date (a cheap first look).
_MAY_HOLD_DATE = re.compile(r"\d|centur|decade", re.IGNORECASE)
# A word as a person wrote it (a letter first, then letters, digits, apostrophes, hyphens), before terms
# are made of it: its case tells names apart here, and spelling asks a dictionary about it.
WRITTEN_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_PLACE_PREPOSITIONS = frozenset(["in", "at", "from", "to", "near", "into", "across", "of"])


def expected_type(question: str) -> AnswerType | None:
    """The kind of answer ``question`` asks for, when its wording says so; the first wh-phrase wins."""
    found = [
        (match.start(), kind)
        for pattern, kind in (
            (_NUMBER_QUESTION, AnswerType.NUMBER),
            (_DATE_QUESTION, AnswerType.DATE),
            (_PERSON_QUESTION, AnswerType.PERSON),
            (_PLACE_QUESTION, AnswerType.PLACE),
            (_REASON_QUESTION, AnswerType.REASON),
        )
        if (match := pattern.search(question))
    ]
    return min(found, key=lambda pair: pair[0])[1] if found else None


def offers(sentence: str, wanted: AnswerType, question: str) -> bool:
    """Whether ``sentence`` gives a reason, or holds a date, person or place that ``question`` does not already give.

    Numbers are read from the index's terms instead (``sentence_evidence``),
    which is faster and is how most questions with a kind ask.
    """
    asked = _question_terms(question)
    if wanted is AnswerType.NUMBER:
        raise ValueError("numbers are read from terms: see sentence_evidence")
    if wanted is AnswerType.REASON:
        return _REASON.search(sentence) is not None
    if wanted is AnswerType.DATE:
        if not _MAY_HOLD_DATE.search(sentence):
            return False
        return any(not set(terms(match.group(0))) <= asked for match in _DATE.finditer(sentence))
    return _names_a_new_one(sentence, asked, after_preposition=wanted is AnswerType.PLACE)


@lru_cache(maxsize=4096)
def _question_terms(question: str) -> frozenset[str]:
    return frozenset(terms(question)) | frozenset(word.lower() for word in WRITTEN_WORD.findall(question))


def _names_a_new_one(sentence: str, asked: frozenset[str], after_preposition: bool) -> bool:
    """Whether a capitalised word past the first is one the question does not use (after a place preposition,
    when ``after_preposition``): the first such word decides, so a sentence is read only that far."""
    words = WRITTEN_WORD.findall(sentence)
    for position in range(1, len(words)):
        word = words[position]
        if not word[0].isupper() or (after_preposition and words[position - 1].lower() not in _PLACE_PREPOSITIONS):
            continue
        if word.lower() in asked:
            continue
        word_terms = terms(word)
        if not (word_terms and set(word_terms) <= asked):
            return True
    return False
