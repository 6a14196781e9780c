"""One immutable corpus snapshot that answers questions.

Everything a question needs is built once and never mutated, so a snapshot
can answer from a worker thread while the next one is being built, and
swapping corpora is one assignment.

Answering is: BM25 (with everyday synonyms of the question's words at a
lower weight) picks candidates; candidates are re-ranked by how much of the
question their best sentence holds, because an answer usually sits in one
sentence; the best passage is quoted, or the question is declined when the
passage does not hold enough of it (``decline``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.corpus_index import CorpusIndex, build_index
from retrieval.decline import gather_evidence, should_decline
from retrieval.fields import passage_terms
from retrieval.metadata_answers import answer_about_document, is_about_document
from retrieval.models import Answer, Document, Hit, Passage
from retrieval.questions import Question, analyze
from retrieval.quoting import best_sentence_share, choose_quote, highlight_spans

DEFAULT_TOP_K = 3
MAX_TOP_K = 25
# Candidates BM25 hands to the re-ranking step.
CANDIDATES = 20
# Weight of a synonym's match relative to the question's own word.
SYNONYM_WEIGHT = 0.3
# Weight of the best sentence's share of the question against the passage's
# BM25 score (normalised by the best candidate's).
SENTENCE_WEIGHT = 1.0


@dataclass(frozen=True)
class QuoteEngine:
    """Answers questions from one ``CorpusIndex``."""

    corpus: CorpusIndex

    @classmethod
    def build(cls, documents: Sequence[Document]) -> QuoteEngine:
        return cls(build_index(documents))

    @property
    def documents(self) -> tuple[Document, ...]:
        return self.corpus.documents

    @property
    def passages(self) -> tuple[Passage, ...]:
        return self.corpus.passages

    def ask(self, question: str, top_k: int = DEFAULT_TOP_K) -> Answer:
        """Quote the passage that answers ``question``, or decline and say why."""
        parsed = analyze(question)
        hits = self.rank(parsed, top_k)
        if is_about_document(parsed, self.documents):
            return answer_about_document(parsed, self.documents, hits)
        if not parsed.topic_terms:
            return _decline(parsed, hits, "The question has no words to search for.")
        if not hits:
            return _decline(parsed, hits, "Nothing in the corpus matches those words.")
        best = hits[0].passage
        bm25 = self.corpus.bm25
        evidence = gather_evidence(parsed, set(passage_terms(best)), hits[0].score, bm25.idf, bm25.k1)
        if should_decline(evidence):
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
        top_k = max(0, min(top_k, MAX_TOP_K))
        bm25 = self.corpus.bm25
        expansion = question.expansion_terms()
        query = [*question.terms, *expansion]
        weights = [1.0] * len(question.terms) + [SYNONYM_WEIGHT] * len(expansion)
        candidates = bm25.top(query, max(top_k, CANDIDATES), weights)
        if not candidates or not top_k:
            return ()
        leader = candidates[0][1]

        def fused(candidate: tuple[int, float]) -> float:
            position, score = candidate
            sentence = best_sentence_share(self.passages[position].text, question, bm25.idf)
            return score / leader + SENTENCE_WEIGHT * sentence

        ranked = sorted(candidates, key=fused, reverse=True)[:top_k]
        return tuple(Hit(rank, score, self.passages[i]) for rank, (i, score) in enumerate(ranked, start=1))


def _decline(question: Question, hits: tuple[Hit, ...], reason: str) -> Answer:
    return Answer(question=question.text, answered=False, quote=None, hits=hits, decline_reason=reason)
