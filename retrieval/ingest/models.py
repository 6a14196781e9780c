"""The plain values that flow from the corpus to an answer.

They are frozen dataclasses so that an index snapshot can be shared between
the event loop and worker threads without locks: nothing here ever changes
after it is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class _ReadOnFirstUse:
    """A field holding either its value or a function that reads it, called once, when the field is first read.

    A document restored from the saved index keeps its body on disk until a
    passage of it is quoted: a large corpus starts without reading its text.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}"

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            raise AttributeError(self._slot)  # no default: the field is required
        value = instance.__dict__[self._slot]
        if callable(value):
            value = value()
            instance.__dict__[self._slot] = value
        return value

    def __set__(self, instance: object, value: str | Callable[[], str]) -> None:
        instance.__dict__[self._slot] = value


@dataclass(frozen=True)
class Document:
    """One corpus file: its metadata and its body (front matter removed).

    ``body`` may be given as a function returning it, called when the body is first read.
    """

    id: str
    title: str
    body: str = _ReadOnFirstUse()  # type: ignore[assignment]
    author: str | None = None
    publication: str | None = None
    publisher: str | None = None
    url: str | None = None
    date: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    fingerprint: str = ""

    def summary(self) -> dict[str, Any]:
        """The document fields the JSON contract exposes for every result."""
        return {
            "id": self.id,
            "title": self.title,
            "author": self.author,
            "publication": self.publication,
            "url": self.url,
        }


@dataclass(frozen=True)
class Passage:
    """A quotable span of one document: the unit BM25 ranks.

    ``start``/``end`` are character offsets into ``document.body`` so a quote
    can always be traced back to the exact source text.
    """

    id: str
    document: Document
    section: str | None
    paragraph: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    """A passage as ranked for one question."""

    rank: int
    score: float
    passage: Passage


class Ranking(Enum):
    """How the passages were ranked: by words and meaning, or by words alone.

    Words alone answer when the semantic model is off, and also, with it on, a
    question whose candidate passages have no vectors yet (a corpus still being
    embedded): it is answered at once rather than waiting for the model.
    """

    SEMANTIC = "semantic"
    LEXICAL = "lexical"


class Outcome(Enum):
    """What quotebot does with a question: quote confidently, quote while saying it may not answer, or decline."""

    ANSWERED = "answered"
    UNSURE = "unsure"
    DECLINED = "declined"


@dataclass(frozen=True)
class Answer:
    """What quotebot says to one question, before any front end renders it.

    ``quote`` is verbatim text of ``hits[0].passage`` (or of the document's
    metadata for questions about the document itself) and is ``None`` exactly
    when ``answered`` is false. ``highlights`` are ``(start, end)`` spans of
    ``quote`` holding the question's words, for front ends that emphasise them.
    ``outcome`` says how sure quotebot is: ``answered`` is true for both
    ``ANSWERED`` and ``UNSURE`` (a quote is shown); ``confidence`` is the
    calibrated probability that the quote answers the question (``None`` when
    no estimate was made: a question about a document's own metadata, or one
    sharing no word with the corpus); it is what makes answers from different
    corpora comparable, which scores are not.
    """

    question: str
    answered: bool
    quote: str | None
    hits: tuple[Hit, ...]
    matched_terms: frozenset[str] = frozenset()
    highlights: tuple[tuple[int, int], ...] = ()
    decline_reason: str | None = None
    source: Document | None = None
    section: str | None = None
    outcome: Outcome | None = None
    confidence: float | None = None
    ranking: Ranking = Ranking.LEXICAL

    def __post_init__(self) -> None:
        if self.outcome is None:
            object.__setattr__(self, "outcome", Outcome.ANSWERED if self.answered else Outcome.DECLINED)
        if self.answered == (self.outcome is Outcome.DECLINED):
            raise ValueError(f"answered={self.answered} contradicts outcome {self.outcome}")

    def to_json(self) -> dict[str, Any]:
        """The stable ``quotebot ask --json`` contract (one object per question)."""
        return {
            "question": self.question,
            "answered": self.answered,
            "outcome": self.outcome.value if self.outcome else None,
            "confidence": None if self.confidence is None else round(float(self.confidence), 3),
            "ranking": self.ranking.value,
            "quote": self.quote,
            "results": [
                {
                    "rank": hit.rank,
                    "score": float(hit.score),
                    "passage_id": hit.passage.id,
                    "text": hit.passage.text,
                    "section": hit.passage.section,
                    "document": hit.passage.document.summary(),
                }
                for hit in self.hits
            ],
        }
