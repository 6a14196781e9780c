"""Ranking candidate passages by words and meaning together.

BM25 proposes the candidates (its best ``CANDIDATES``), and with the
semantic model the ``NEAREST`` passages closest in meaning join them, so a
passage that shares no word with the question can still win. Each is scored
by a weighted sum: its BM25 score over the best candidate's, its best
sentence's share of the question's words (plus a bonus when that sentence
offers the kind of answer asked for), the share of the question's word
pairs found in one sentence, and the cosine similarity of the question to
the passage and to its closest sentence. Reciprocal-rank fusion and a
learned listwise model were measured too and did no better; the weights
were chosen on half of the SQuAD articles plus the article's question set
and checked on the other half (the README has the figures).
"""

from __future__ import annotations

from dataclasses import dataclass

from quotebot.retrieval.answer.sentence_evidence import SentenceEvidence

# Candidates BM25 hands to the ranking step.
CANDIDATES = 20
# Passages nearest in meaning added to them (semantic path).
NEAREST = 3
# Added to a sentence's share of the question when it offers the kind of answer asked for.
ANSWER_KIND_BONUS = 0.25
# Lexical path: weight of the best sentence against BM25 (over the best candidate's score).
LEXICAL_SENTENCE_WEIGHT = 1.0
# Semantic path weights.
BM25_WEIGHT = 0.5
SENTENCE_SHARE_WEIGHT = 3.0
WORD_PAIR_WEIGHT = 1.0
PASSAGE_COSINE_WEIGHT = 4.0
SENTENCE_COSINE_WEIGHT = 4.0


# Made twenty times a question: plain slots, since a frozen dataclass's checked assignments cost more than the rest.
@dataclass(slots=True)
class Candidate:
    """A passage as the ranking step saw it."""

    position: int
    bm25: float
    evidence: SentenceEvidence
    cosine: float | None
    score: float

    @property
    def best_sentence_cosine(self) -> float | None:
        cosines = self.evidence.cosines
        return None if cosines is None else float(cosines.max())


def fused_score(bm25_share: float, evidence: SentenceEvidence, cosine: float | None) -> float:
    """The ranking score; ``cosine`` (and the evidence's sentence cosines) ``None`` on the lexical path."""
    sentence_share = evidence.answer_kind_share(ANSWER_KIND_BONUS)
    if cosine is None or evidence.cosines is None:
        return bm25_share + LEXICAL_SENTENCE_WEIGHT * sentence_share
    return (
        BM25_WEIGHT * bm25_share
        + SENTENCE_SHARE_WEIGHT * sentence_share
        + WORD_PAIR_WEIGHT * float(evidence.bigrams.max())
        + PASSAGE_COSINE_WEIGHT * cosine
        + SENTENCE_COSINE_WEIGHT * float(evidence.cosines.max())
    )
