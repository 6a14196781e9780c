"""Which of a question's words a piece of text contains, synonyms included.

Ranking, declining and quoting all ask the same thing of a passage or a
sentence, so they share one definition: a question term is present when the
term itself is, or one of its everyday alternatives (``synonyms``) is in full.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from quotebot.retrieval.answer.questions import Question


@dataclass(frozen=True)
class Match:
    """The question's topic terms found in a text, and their idf-weighted share."""

    found: frozenset[str]
    share: float


def match(question: Question, text_terms: Collection[str], idf: Callable[[str], float]) -> Match:
    """Topic terms of ``question`` present in ``text_terms`` (directly or by a synonym)."""
    present = text_terms if isinstance(text_terms, (set, frozenset)) else set(text_terms)
    wanted = set(question.topic_terms)
    found = frozenset(
        term
        for term in wanted
        if term in present or any(all(t in present for t in phrase) for phrase in question.alternatives.get(term, ()))
    )
    return Match(found, weighted_share(question, found, idf))


def weighted_share(question: Question, found: Collection[str], idf: Callable[[str], float]) -> float:
    """The part of the question's idf weight that ``found`` accounts for (0 to 1)."""
    total = sum(idf(term) for term in set(question.topic_terms))
    return sum(idf(term) for term in set(found)) / total if total else 0.0
