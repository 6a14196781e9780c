"""One immutable corpus snapshot that answers questions.

Everything a question needs is built once and never mutated, so a snapshot
can answer from a worker thread while the next one is being built, and
swapping corpora is one assignment.

Answering is: BM25 (with everyday synonyms of the question's words at a
lower weight) picks candidates; candidates are re-ranked by how much of the
question their best sentence holds, because an answer usually sits in one
sentence; the best passage is quoted, or the question is declined when the
passage does not hold enough of it (``decline``).

With the optional semantic re-ranker (``pip install 'quotebot[rerank]'``),
each candidate's cosine similarity to the question is added to the fused
score, and a question no candidate is semantically close to is declined.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from quotebot.retrieval.answer.decline import gather_evidence, should_decline
from quotebot.retrieval.answer.metadata import answer_about_document, is_about_document, name_the_author
from quotebot.retrieval.answer.questions import Question, analyze
from quotebot.retrieval.answer.quoting import best_sentence_share, choose_quote, highlight_spans
from quotebot.retrieval.index.corpus_index import CorpusIndex, build_index
from quotebot.retrieval.index.fields import passage_terms
from quotebot.retrieval.ingest.models import Answer, Document, Hit, Passage

DEFAULT_TOP_K = 3
MAX_TOP_K = 25
# Candidates BM25 hands to the re-ranking step.
CANDIDATES = 20
# Weight of a synonym's match relative to the question's own word.
SYNONYM_WEIGHT = 0.3
# Weight of the best sentence's share of the question against the passage's
# BM25 score (normalised by the best candidate's).
SENTENCE_WEIGHT = 1.0
# Weight of the re-ranker's cosine similarity in the fused score.
SEMANTIC_WEIGHT = 2.0
# With the re-ranker: decline when no candidate is this similar to the question,
SEMANTIC_FLOOR = 0.225
# or when the lexical rule declines and none is this similar (SQuAD-calibrated).
SEMANTIC_OVERRIDE = 0.45


class Reranker(Protocol):
    """Scores passages by meaning rather than shared words (``quotebot.retrieval.index.semantic``)."""

    def similarities(self, question: str, passages: Sequence[Passage]) -> np.ndarray: ...


@dataclass(frozen=True)
class QuoteEngine:
    """Answers questions from one ``CorpusIndex``."""

    corpus: CorpusIndex
    reranker: Reranker | None = None

    @classmethod
    def build(cls, documents: Sequence[Document], reranker: Reranker | None = None) -> QuoteEngine:
        return cls(build_index(documents), reranker)

    @property
    def documents(self) -> tuple[Document, ...]:
        return self.corpus.documents

    @property
    def passages(self) -> Sequence[Passage]:
        return self.corpus.passages

    def ask(self, question: str, top_k: int = DEFAULT_TOP_K) -> Answer:
        """Quote the passage that answers ``question``, or decline and say why."""
        parsed = analyze(question)
        about_document = is_about_document(parsed, self.documents)
        if not about_document:
            parsed = name_the_author(parsed, self.documents)
        hits, similarity = self._ranked(parsed, top_k)
        if about_document:
            return answer_about_document(parsed, self.documents, hits)
        if not parsed.topic_terms:
            return _decline(parsed, hits, "The question has no words to search for.")
        if not hits:
            return _decline(parsed, hits, "Nothing in the corpus matches those words.")
        best = hits[0].passage
        bm25 = self.corpus.bm25
        evidence = gather_evidence(parsed, set(passage_terms(best)), hits[0].score, bm25.idf, bm25.k1)
        if self._declines(should_decline(evidence), similarity):
            return _decline(parsed, hits, "The closest passage does not cover the question.")
        quote = choose_quote(best.text, parsed, bm25.idf)
        return Answer(
            question=parsed.text,
            answered=True,
            quote=quote.text,
            hits=hits,
            matched_terms=evidence.found,
            highlights=highlight_spans(quote.text, parsed),
            source=best.document,
            section=best.section,
        )

    def rank(self, question: Question, top_k: int = DEFAULT_TOP_K) -> tuple[Hit, ...]:
        """The best passages for ``question``, best first; passages sharing no term never appear."""
        return self._ranked(question, top_k)[0]

    def _declines(self, lexical_decline: bool, similarity: float | None) -> bool:
        if similarity is None:
            return lexical_decline
        return similarity < SEMANTIC_FLOOR or (lexical_decline and similarity < SEMANTIC_OVERRIDE)

    def _ranked(self, question: Question, top_k: int) -> tuple[tuple[Hit, ...], float | None]:
        """Ranked hits, and the best candidate's similarity to the question when a re-ranker is set."""
        top_k = max(0, min(top_k, MAX_TOP_K))
        bm25 = self.corpus.bm25
        expansion = question.expansion_terms()
        query = [*question.terms, *expansion]
        weights = [1.0] * len(question.terms) + [SYNONYM_WEIGHT] * len(expansion)
        candidates = bm25.top(query, max(top_k, CANDIDATES), weights)
        if not candidates or not top_k:
            return (), None
        leader = candidates[0][1]
        fused = [
            score / leader + SENTENCE_WEIGHT * best_sentence_share(self.passages[i].text, question, bm25.idf)
            for i, score in candidates
        ]
        similarity = None
        if self.reranker is not None:
            cosines = self.reranker.similarities(question.text, [self.passages[i] for i, _ in candidates])
            fused = [value + SEMANTIC_WEIGHT * float(cosine) for value, cosine in zip(fused, cosines)]
            similarity = float(np.max(cosines))
        order = sorted(range(len(candidates)), key=lambda n: fused[n], reverse=True)[:top_k]
        hits = tuple(
            Hit(rank, candidates[n][1], self.passages[candidates[n][0]]) for rank, n in enumerate(order, start=1)
        )
        return hits, similarity


def _decline(question: Question, hits: tuple[Hit, ...], reason: str) -> Answer:
    return Answer(question=question.text, answered=False, quote=None, hits=hits, decline_reason=reason)
