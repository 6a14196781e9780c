"""What answering one question produces: the ranked passages (``Hit``), how they were ranked, the outcome,
and the ``Answer`` front ends render. Frozen, like the corpus's own values (``ingest.models``), so an answer
crosses from a worker thread to the event loop without locks."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from quotebot.retrieval.ingest.models import Document, Passage


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

    ``outcome`` says what it does: quote confidently, quote while saying it
    may not answer (``UNSURE``), or decline; ``answered`` (a quote is shown) is
    derived from it. ``quote`` is verbatim text of ``hits[0].passage`` (or a
    statement of the document's own metadata for questions about the document
    itself) and is ``None`` exactly when the question is declined.
    ``highlights`` are ``(start, end)`` spans of ``quote`` holding the
    question's words, for front ends that emphasise them. ``confidence`` is
    the calibrated probability that the quote answers the question, what makes
    answers from different corpora comparable (scores are not): 1.0 for a
    statement of a document's own metadata, which is exact, and 0.0 for a
    question declined before any passage was judged (it shares no word with
    the corpus, or asks for metadata the document does not record).
    """

    question: str
    outcome: Outcome
    quote: str | None
    hits: tuple[Hit, ...]
    confidence: float
    matched_terms: frozenset[str] = frozenset()
    highlights: tuple[tuple[int, int], ...] = ()
    decline_reason: str | None = None
    source: Document | None = None
    section: str | None = None
    ranking: Ranking = Ranking.LEXICAL

    def __post_init__(self) -> None:
        if (self.quote is None) != (self.outcome is Outcome.DECLINED):
            raise ValueError(f"an answer that is {self.outcome.value} must {'not ' * (self.quote is not None)}have a quote")

    @property
    def answered(self) -> bool:
        """Whether a quote is shown (confidently or not)."""
        return self.outcome is not Outcome.DECLINED

    def to_json(self) -> dict[str, Any]:
        """The stable ``quotebot ask --json`` contract (one object per question)."""
        return {
            "question": self.question,
            "answered": self.answered,
            "outcome": self.outcome.value,
            "confidence": round(float(self.confidence), 3),
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
