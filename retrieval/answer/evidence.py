"""What the best passage holds of the question, in words: the lexical half of every decision about an answer.

A raw BM25 score cannot say whether a passage answers: its scale changes
with the corpus and the question. How much of the question the passage
contains can, so these shares feed the decline and confidence models
(``confidence``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from quotebot.retrieval.answer.matching import Match
from quotebot.retrieval.answer.questions import Question


@dataclass(frozen=True)
class Evidence:
    """What the best passage holds of the question."""

    coverage: float
    matched: float
    score_share: float
    term_count: int
    found: frozenset[str] = frozenset()

    def features(self) -> dict[str, float]:
        """The shares by name, as the fitted models (``confidence``) weigh them."""
        return {
            "coverage": self.coverage,
            "matched": self.matched,
            "score_share": self.score_share,
            "log_term_count": math.log(max(self.term_count, 1)),
        }


def gather_evidence(
    question: Question,
    found: Match,
    score: float,
    idf: Callable[[str], float],
    k1: float,
) -> Evidence:
    """Evidence for the passage that holds ``found`` of the question and has the BM25 score ``score``."""
    wanted = set(question.topic_terms)
    best_possible = sum(idf(term) * (k1 + 1) for term in question.terms)
    return Evidence(
        coverage=found.share,
        matched=len(found.found) / len(wanted) if wanted else 0.0,
        score_share=min(1.0, score / best_possible) if best_possible else 0.0,
        term_count=len(wanted),
        found=found.found,
    )
