"""How sure quotebot is that its quote answers the question, and what it therefore does: answer, hedge or decline.

Two small logistic models, fitted on SQuAD by ``python -m
bench.calibrate_confidence`` (which prints the numbers below, how each
generalises to articles held out of its fit, and the reliability table in
the README):

- *decline*: is the best passage about the question at all? It separates a
  corpus's own questions from other articles' (off-topic), from how much of
  the question the passage holds in words and, with the semantic model, in
  meaning. Below its threshold quotebot declines.
- *confidence*: the probability that the quote answers the question. It is
  fitted on answerable and unanswerable SQuAD questions (SQuAD 2.0's were
  written to look answerable from the same article) and is the
  ``"confidence"`` every answer carries. Below ``UNSURE_BELOW`` the quote is
  still shown, introduced as "the closest passage I found — it may not
  answer this".

Each model exists twice, for the semantic path and for the lexical one
(``--lexical``, or when the model cannot load), because the signals differ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from quotebot.retrieval.answer.evidence import Evidence
from quotebot.retrieval.ingest.models import Outcome


@dataclass(frozen=True)
class Signals:
    """What the chosen passage and quote hold of the question; the cosines are ``None`` on the lexical path."""

    evidence: Evidence
    quote_share: float
    answer_kind_asked: bool
    answer_kind_offered: bool
    passage_cosine: float | None = None
    best_passage_cosine: float | None = None
    quote_cosine: float | None = None
    best_sentence_cosine: float | None = None

    @property
    def semantic(self) -> bool:
        return self.passage_cosine is not None

    def decline_features(self) -> tuple[float, ...]:
        lexical = self.evidence.features()
        if not self.semantic:
            return lexical
        return (*lexical, self.passage_cosine, self.best_passage_cosine, self.quote_cosine, self.best_sentence_cosine)

    def confidence_features(self) -> tuple[float, ...]:
        coverage = self.evidence.coverage
        features = (
            *self.evidence.features(),
            self.quote_share,
            self.quote_share / coverage if coverage else 0.0,
            float(self.answer_kind_asked and self.answer_kind_offered),
            float(self.answer_kind_asked and not self.answer_kind_offered),
        )
        if not self.semantic:
            return features
        return (*features, self.passage_cosine, self.quote_cosine)


@dataclass(frozen=True)
class LogisticModel:
    coefficients: tuple[float, ...]
    intercept: float

    def probability(self, features: tuple[float, ...]) -> float:
        if len(features) != len(self.coefficients):
            raise ValueError(f"expected {len(self.coefficients)} features, got {len(features)}")
        z = self.intercept + sum(w * x for w, x in zip(self.coefficients, features))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(frozen=True)
class Calibration:
    """One path's two models and thresholds."""

    decline: LogisticModel
    decline_below: float
    confidence: LogisticModel
    unsure_below: float


# Fitted by `python -m bench.calibrate_confidence`; see its output in the README.
SEMANTIC = Calibration(
    decline=LogisticModel((0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), 0.0),
    decline_below=0.0,
    confidence=LogisticModel((0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), 0.0),
    unsure_below=0.0,
)
LEXICAL = Calibration(
    decline=LogisticModel((0.0, 0.0, 0.0, 0.0), 0.0),
    decline_below=0.0,
    confidence=LogisticModel((0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), 0.0),
    unsure_below=0.0,
)


def calibration(signals: Signals) -> Calibration:
    return SEMANTIC if signals.semantic else LEXICAL


def judge(signals: Signals) -> tuple[Outcome, float]:
    """The outcome for an answer with these signals, and the confidence that its quote answers the question."""
    models = calibration(signals)
    confidence = models.confidence.probability(signals.confidence_features())
    if models.decline.probability(signals.decline_features()) < models.decline_below:
        return Outcome.DECLINED, confidence
    if confidence < models.unsure_below:
        return Outcome.UNSURE, confidence
    return Outcome.ANSWERED, confidence
