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
  0.042 against 0.018 held out), and is the ``"confidence"`` every answer
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
    ``quote_share`` is the share of the question's words held by the quote's best sentence;
    ``whole_quote_share`` the share the member reads with the quote: its sentences together and the
    title and heading shown with it ("From the mid-1990s … 33,523 defectors resettled in South Korea.
    The number who resettled … a peak of 2,914 in 2009 …", under "Number of North Korean Defectors
    Declines", holds "peak", "number", "North Korean defectors" and "South Korea", though no sentence
    holds them all). ``passage_share`` is the passage's share on the same footing, for the quote's part of it.
    All three leave out a question word the passage holds only through an everyday synonym outside the
    quote: asked how many defectors "arrived", a passage whose quote gives the count and whose previous
    sentence says "reaching" has not shown the quote to miss anything the passage has.
    """

    quote: str
    evidence: Evidence
    names_missing: bool
    quote_share: float
    whole_quote_share: float
    passage_share: float
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
        coverage = self.passage_share
        features = (
            *self.evidence.features(),
            float(self.names_missing),
            self.quote_share,
            self.quote_share / coverage if coverage else 0.0,
            self.whole_quote_share,
            self.whole_quote_share / coverage if coverage else 0.0,
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
    decline=LogisticModel((3.0681, 3.3232, 5.3702, 0.1309, 4.4408, 5.9662, 5.1494, 6.8003), -12.1967),
    decline_below=0.7171,
    confidence=LogisticModel(
        (0.0216, -2.2686, -0.9564, 0.6884, -0.6965, 1.6308, 0.0362, 2.0051, 1.4754, 0.2577, -0.0269, -0.0996, 3.7652,
         3.1234),
        -7.4322,
    ),
    unsure_below=0.6253,
)
LEXICAL = Calibration(
    decline=LogisticModel((-0.0213, 10.2338, 16.2960, 2.0979), -11.2522),
    decline_below=0.1899,
    confidence=LogisticModel(
        (0.3457, -1.1697, -0.7469, 1.1096, -1.0437, 1.1567, 1.4272, 1.0217, 2.6757, 0.2479, -0.1032, 3.8925), -9.2358
    ),
    unsure_below=0.5423,
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
