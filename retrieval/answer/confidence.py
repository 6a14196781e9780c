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
  fitted on answerable, off-topic and unanswerable SQuAD questions (SQuAD
  2.0's were written to look answerable from the same article), reads the
  decline model's probability besides the signals (stacked: one linear
  model alone was over-confident at the top, expected calibration error
  0.041 against 0.015 held out), and is the ``"confidence"`` every answer
  carries. Below ``UNSURE_BELOW`` the quote is
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
    """What the chosen passage and quote hold of the question; the cosines are ``None`` on the lexical path.

    ``quote`` is the text judged (kept for calibration, which checks it against known answers).
    """

    quote: str
    evidence: Evidence
    names_missing: bool
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
            float(self.names_missing),
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
    decline=LogisticModel((3.0506, 3.1005, 5.4799, 0.0834, 4.6482, 6.1879, 5.0406, 6.7206), -12.1777),
    decline_below=0.7055,
    confidence=LogisticModel(
        (0.8753, -1.9906, -0.8409, 0.6702, -0.6630, 2.5057, 1.0285, 0.2589, -0.0461, -0.1391, 3.7927, 3.1251), -7.0129
    ),
    unsure_below=0.6232,
)
LEXICAL = Calibration(
    decline=LogisticModel((0.4918, 9.7919, 16.2413, 2.2520), -11.7393),
    decline_below=0.1794,
    confidence=LogisticModel(
        (0.4272, -1.0652, -0.7009, 1.0393, -0.9987, 1.9213, 2.6643, 0.2755, -0.1239, 3.8781), -7.6670
    ),
    unsure_below=0.5299,
)


def calibration(signals: Signals) -> Calibration:
    return SEMANTIC if signals.semantic else LEXICAL


def judge(signals: Signals) -> tuple[Outcome, float]:
    """The outcome for an answer with these signals, and the confidence that its quote answers the question."""
    models = calibration(signals)
    on_topic = models.decline.probability(signals.decline_features())
    confidence = models.confidence.probability((*signals.confidence_features(), on_topic))
    if on_topic < models.decline_below:
        return Outcome.DECLINED, confidence
    if confidence < models.unsure_below:
        return Outcome.UNSURE, confidence
    return Outcome.ANSWERED, confidence
