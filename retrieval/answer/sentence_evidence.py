"""What each sentence of a passage holds of a question: its words, their order, the wanted kind of answer, its meaning.

Answers sit in one sentence, so ranking, quoting and confidence all read the
same per-sentence evidence: the idf-weighted share of the question's terms
(``matching``), the share of the question's adjacent term pairs found
adjacent ("largest item" in "the largest item from Italy"), whether it
offers the kind of answer the question asks for (``answer_type``), and,
when the semantic model is on, its cosine similarity to the question.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from quotebot.retrieval.answer.answer_type import offers
from quotebot.retrieval.answer.matching import match
from quotebot.retrieval.answer.questions import Question
from quotebot.retrieval.index.tokens import terms
from quotebot.retrieval.ingest.sentences import sentence_spans

# Passages whose sentences stay analysed between questions.
SENTENCE_CACHE_PASSAGES = 20_000


@dataclass(frozen=True)
class SentenceEvidence:
    """Per sentence of one passage, in reading order; ``cosines`` is ``None`` without the semantic model."""

    spans: tuple[tuple[int, int], ...]
    found: tuple[frozenset[str], ...]
    lexical: np.ndarray
    bigrams: np.ndarray
    offers_answer: np.ndarray
    cosines: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.spans)


def sentence_evidence(
    text: str, question: Question, idf: Callable[[str], float], cosines: np.ndarray | None = None
) -> SentenceEvidence:
    """The evidence of each sentence of ``text`` (a passage) for ``question``."""
    analysed = _sentences(text)
    matches = [match(question, set(sentence_terms), idf) for _, _, sentence_terms in analysed]
    pairs = _pairs(question.topic_terms)
    wanted = question.answer_type
    return SentenceEvidence(
        spans=tuple((a, b) for a, b, _ in analysed),
        found=tuple(found.found for found in matches),
        lexical=np.array([found.share for found in matches]),
        bigrams=np.array([len(pairs & _pairs(sentence_terms)) / len(pairs) if pairs else 0.0
                          for _, _, sentence_terms in analysed]),
        offers_answer=np.array([wanted is not None and offers(text[a:b], wanted, question.text) for a, b, _ in analysed]),
        cosines=None if cosines is None or len(cosines) != len(analysed) else np.asarray(cosines, dtype=np.float64),
    )


@lru_cache(maxsize=SENTENCE_CACHE_PASSAGES)
def _sentences(text: str) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
    """Sentence spans and terms (in order) of a passage; cached because every question re-reads its candidates."""
    spans = sentence_spans(text) or [(0, len(text))]
    return tuple((a, b, tuple(terms(text[a:b]))) for a, b in spans)


def _pairs(sequence: tuple[str, ...]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(sequence))
