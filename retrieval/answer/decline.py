"""When to decline: does the best passage really answer the question?

A raw BM25 score cannot say: its scale changes with the corpus and the
question. What separates answerable questions from unrelated ones is how
much of the question the passage contains, so the decision is a small
logistic model over such shares, fitted on SQuAD questions with
``python -m bench.calibrate_decline`` (which prints the coefficients below
and how they perform article by article, each held out of its own fit).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from quotebot.retrieval.answer.matching import Match
from quotebot.retrieval.answer.questions import Question

# Fitted by `python -m bench.calibrate_decline`; see its output in the README.
COEFFICIENTS = (0.1092, 10.6050, 16.2137, 1.8485)
INTERCEPT = -10.9209
# The answer probability below which quotebot declines.
THRESHOLD = 0.2928


@dataclass(frozen=True)
class Evidence:
    """What the best passage holds of the question."""

    coverage: float
    matched: float
    score_share: float
    term_count: int
    found: frozenset[str] = frozenset()

    def features(self) -> tuple[float, float, float, float]:
        return (self.coverage, self.matched, self.score_share, math.log(max(self.term_count, 1)))


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


def answer_probability(evidence: Evidence) -> float:
    """The model's estimate that the passage answers the question."""
    z = INTERCEPT + sum(w * x for w, x in zip(COEFFICIENTS, evidence.features()))
    return 1.0 / (1.0 + math.exp(-z))


def should_decline(evidence: Evidence) -> bool:
    return answer_probability(evidence) < THRESHOLD
