"""What a member typed, reduced to what retrieval needs: search terms and intent.

Questions arrive from Discord unfiltered (10,000 characters, control
characters, emoji, ``@everyone``), so they are cleaned and capped here once,
before any scoring, instead of in each front end.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

from quotebot.retrieval.answer.answer_type import AnswerType, expected_type
from quotebot.retrieval.answer.spelling import expand_shorthand
from quotebot.retrieval.answer.synonyms import alternatives
from quotebot.retrieval.index.tokens import terms

MAX_QUESTION_CHARS = 1_000

# Words that frame a question about a text rather than carry its content:
# "what does the article say about X" is a question about X.
_FRAMING_TEXT = (
    "article text post piece page document passage essay story author writer "
    "tell say says explain mention mentions describe according please know "
    "anyone somebody someone happen happened happens many much"
)
_AUTHOR = re.compile(r"\b(who\s+(wrote|writes|authored|penned)|author|written\s+by|writer)\b", re.IGNORECASE)
_PUBLICATION = re.compile(
    r"\b(publish\w*|publication|publisher|which\s+(magazine|journal|site|website|blog|outlet))\b", re.IGNORECASE
)
_TITLE = re.compile(
    r"\b(what\s+is\s+the\s+title|title\s+of\s+(this|the)|what\s+is\s+(this|the)\s+(article|document|page|post)\s+(called|named|titled))\b",
    re.IGNORECASE,
)
_DATE = re.compile(r"\bwhen\s+(was|is|did)\s+(\w+\s+){0,3}(written|published|posted|write|publish|post)\b", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_][\w'’.,-]*")


class Intent(Enum):
    """Whether the question is about a document's contents or about the document itself."""

    CONTENT = "content"
    AUTHOR = "author"
    PUBLICATION = "publication"
    TITLE = "title"
    DATE = "date"


@dataclass(frozen=True)
class Question:
    """A cleaned question, its search terms and what kind of answer it wants.

    ``text`` is what the member typed (cleaned), shown back to them;
    ``search_text`` has their chat shorthand spelt out, and is what the
    semantic model reads.
    """

    text: str
    terms: tuple[str, ...]
    topic_terms: tuple[str, ...]
    intent: Intent
    alternatives: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict, compare=False)
    answer_type: AnswerType | None = None
    search_text: str = ""
    name_terms: frozenset[str] = frozenset()

    def expansion_terms(self) -> list[str]:
        """Terms of the synonyms of the topic terms that the question does not already use."""
        own = set(self.terms)
        extra = {term for phrases in self.alternatives.values() for phrase in phrases for term in phrase}
        return sorted(extra - own)


def clean(text: str) -> str:
    """Drop control and formatting characters, fold white space, cap the length."""
    # A printable text has neither (its only white space is the plain space): the usual case, kept as it is.
    kept = text if text.isprintable() else "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace() or unicodedata.category(char)[0] != "C"
    )
    return _SPACES.sub(" ", kept).strip()[:MAX_QUESTION_CHARS]


def analyze(raw: str) -> Question:
    """Search terms keep the framing words (they may be content); ``topic_terms`` do not."""
    text = clean(raw)
    searched = expand_shorthand(text)
    all_terms = tuple(terms(searched))
    framing = framing_terms()
    topic = tuple(term for term in all_terms if term not in framing)
    return Question(
        text=text,
        terms=all_terms,
        topic_terms=topic,
        intent=_intent(searched),
        alternatives=alternatives(topic),
        answer_type=expected_type(searched),
        search_text=searched,
        name_terms=frozenset(term for word in _names_and_numbers(searched) for term in terms(word)) & set(topic),
    )


@lru_cache(maxsize=1)
def framing_terms() -> frozenset[str]:
    """Analysed when first needed, so that importing this module never loads the stemmer."""
    return frozenset(terms(_FRAMING_TEXT))


def _names_and_numbers(text: str) -> list[str]:
    """Capitalised words past the first, and numbers: what a question names, which an answer must mention."""
    words = _WORD.findall(text)
    return [word for position, word in enumerate(words) if word[0].isdigit() or (position and word[0].isupper())]


def _intent(text: str) -> Intent:
    if _DATE.search(text):
        return Intent.DATE
    if _AUTHOR.search(text):
        return Intent.AUTHOR
    if _PUBLICATION.search(text):
        return Intent.PUBLICATION
    if _TITLE.search(text):
        return Intent.TITLE
    return Intent.CONTENT


def with_corrected_terms(question: Question, corrections: dict[str, str]) -> Question:
    """``question`` searching the corpus's spelling of misspelt terms (``spelling.correct_terms``)."""
    if not corrections:
        return question
    topic = tuple(corrections.get(term, term) for term in question.topic_terms)
    return dataclasses.replace(
        question,
        terms=tuple(corrections.get(term, term) for term in question.terms),
        topic_terms=topic,
        alternatives=alternatives(topic),
    )
