"""How sure quotebot is that its quote answers the question, and what it therefore does: answer, hedge or decline.

Two small logistic models, fitted by ``python -m bench.calibrate_confidence``
on SQuAD and on questions worded the way members type (``tests/data``),
which writes their weights, by feature name, to ``confidence_weights.json``
beside this module; ``docs/quality.md`` has what it prints (held out by
article) and the reliability tables:

- *decline*: is the best passage about the question at all? It separates a
  corpus's own questions from other articles' (off-topic), from how much of
  the question the passage holds in words and, with the semantic model, in
  meaning. Below its threshold quotebot declines.
- *confidence*: the probability that the quote answers the question, the
  ``"confidence"`` every answer carries. It reads the decline model's
  probability besides the signals (stacked: one linear model alone was
  over-confident at the top), and signals that do not depend on wording
  (meaning, the answer kind, the question's names and numbers in the quote,
  the ranking margin), since members' right answers share few words with
  the passage. Below the unsure threshold, chosen by the product rule
  (at most 15% of members' right answers marked unsure), the quote is still
  shown, introduced as "the closest passage I found — it may not answer this".

Each model exists twice, for the semantic path and for the lexical one
(``--lexical``, or when the model cannot load), because the signals differ.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from quotebot.retrieval.answer.evidence import Evidence
from quotebot.retrieval.answer.models import Outcome

# The fitted weights, written by ``python -m bench.calibrate_confidence`` (shipped as package data).
WEIGHTS_FILE = Path(__file__).with_name("confidence_weights.json")
# The features each model reads, by name: what ``Signals`` gives and what the weights file must weigh.
LEXICAL_DECLINE = ("coverage", "matched", "score_share", "log_term_count")
SEMANTIC_DECLINE = (*LEXICAL_DECLINE, "passage_cosine", "best_passage_cosine", "quote_cosine", "best_sentence_cosine")
LEXICAL_CONFIDENCE = (
    *LEXICAL_DECLINE,
    "names_missing",
    "quote_share",
    "quote_share_of_passage",
    "whole_quote_share",
    "whole_quote_share_of_passage",
    "answer_kind_offered",
    "answer_kind_missing",
    "names_missing_from_quote",
    "rank_margin",
    "on_topic",
)
SEMANTIC_CONFIDENCE = (*LEXICAL_CONFIDENCE, "passage_cosine", "quote_cosine", "best_sentence_cosine")
FEATURES = {
    "semantic": {"decline": SEMANTIC_DECLINE, "confidence": SEMANTIC_CONFIDENCE},
    "lexical": {"decline": LEXICAL_DECLINE, "confidence": LEXICAL_CONFIDENCE},
}


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

    Members' questions share few words with the passage that answers them, so the models also read signals
    that do not depend on wording: ``names_missing_from_quote`` (a name or number the question gives that the
    quote and its heading do not hold), the answer kind, the meaning (cosines) and ``rank_margin``, how far
    the chosen passage's ranking score is ahead of the next candidate's.
    """

    quote: str
    evidence: Evidence
    names_missing: bool
    names_missing_from_quote: bool
    rank_margin: float
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

    @property
    def path(self) -> str:
        return "semantic" if self.semantic else "lexical"

    def decline_features(self) -> dict[str, float]:
        features = self.evidence.features()
        if self.semantic:
            features.update(
                passage_cosine=self.passage_cosine,
                best_passage_cosine=self.best_passage_cosine,
                quote_cosine=self.quote_cosine,
                best_sentence_cosine=self.best_sentence_cosine,
            )
        return features

    def confidence_features(self, on_topic: float) -> dict[str, float]:
        """The confidence model's features; ``on_topic`` is the decline model's probability (stacked)."""
        coverage = self.passage_share
        features = self.evidence.features()
        features.update(
            names_missing=float(self.names_missing),
            quote_share=self.quote_share,
            quote_share_of_passage=self.quote_share / coverage if coverage else 0.0,
            whole_quote_share=self.whole_quote_share,
            whole_quote_share_of_passage=self.whole_quote_share / coverage if coverage else 0.0,
            answer_kind_offered=float(self.answer_kind_asked and self.answer_kind_offered),
            answer_kind_missing=float(self.answer_kind_asked and not self.answer_kind_offered),
            names_missing_from_quote=float(self.names_missing_from_quote),
            rank_margin=self.rank_margin,
            on_topic=on_topic,
        )
        if self.semantic:
            features.update(
                passage_cosine=self.passage_cosine,
                quote_cosine=self.quote_cosine,
                best_sentence_cosine=self.best_sentence_cosine,
            )
        return features


@dataclass(frozen=True)
class LogisticModel:
    """Weights by feature name: a model reads exactly the features it was fitted on, whatever their order."""

    weights: Mapping[str, float]
    intercept: float

    def probability(self, features: Mapping[str, float]) -> float:
        _check_names(features.keys(), self.weights.keys())
        z = self.intercept + sum(weight * features[name] for name, weight in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def as_record(self) -> dict[str, object]:
        return {"weights": {name: round(weight, 6) for name, weight in self.weights.items()},
                "intercept": round(self.intercept, 6)}


@dataclass(frozen=True)
class Calibration:
    """One path's two models and thresholds."""

    decline: LogisticModel
    decline_below: float
    confidence: LogisticModel
    unsure_below: float

    def as_record(self) -> dict[str, object]:
        return {
            "decline": self.decline.as_record(),
            "decline_below": round(self.decline_below, 6),
            "confidence": self.confidence.as_record(),
            "unsure_below": round(self.unsure_below, 6),
        }


def read_calibrations(path: Path = WEIGHTS_FILE) -> dict[str, Calibration]:
    """Both paths' models from a weights file, each checked to weigh exactly the features its path gives."""
    record = json.loads(path.read_text(encoding="utf-8"))
    if set(record) != set(FEATURES):
        raise ValueError(f"{path.name}: expected the paths {sorted(FEATURES)}, found {sorted(record)}")
    calibrations = {}
    for name, models in FEATURES.items():
        part = record[name]
        fitted = {}
        for model, names in models.items():
            weights = {str(feature): float(weight) for feature, weight in part[model]["weights"].items()}
            _check_names(weights, names, f"{path.name}: {name} {model} model")
            fitted[model] = LogisticModel(weights, float(part[model]["intercept"]))
        calibrations[name] = Calibration(
            fitted["decline"], float(part["decline_below"]), fitted["confidence"], float(part["unsure_below"])
        )
    return calibrations


def _check_names(given: object, expected: object, what: str = "features") -> None:
    given, expected = set(given), set(expected)  # type: ignore[call-overload]
    if given != expected:
        raise ValueError(
            f"{what}: missing {sorted(expected - given) or 'none'}, unexpected {sorted(given - expected) or 'none'}"
        )


@lru_cache(maxsize=1)
def calibrations() -> dict[str, Calibration]:
    """The shipped models, read once."""
    return read_calibrations()


def judge(signals: Signals) -> tuple[Outcome, float]:
    """The outcome for an answer with these signals, and the confidence that its quote answers the question."""
    models = calibrations()[signals.path]
    on_topic = models.decline.probability(signals.decline_features())
    confidence = models.confidence.probability(signals.confidence_features(on_topic))
    if on_topic < models.decline_below:
        return Outcome.DECLINED, confidence
    if confidence < models.unsure_below:
        return Outcome.UNSURE, confidence
    return Outcome.ANSWERED, confidence
