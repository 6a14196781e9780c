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
from functools import cached_property
from typing import Protocol

import numpy as np

from quotebot.retrieval.answer.decline import THRESHOLD, Evidence, answer_probability, gather_evidence
from quotebot.retrieval.answer.matching import QuestionTerms
from quotebot.retrieval.answer.metadata import (
    Catalogue,
    answer_about_document,
    is_about_document,
    metadata_terms,
    name_the_author,
)
from quotebot.retrieval.answer.questions import Question, analyze, framing_terms
from quotebot.retrieval.answer.quoting import SentenceMatches, choose_quote, highlight_spans, match_sentences
from quotebot.retrieval.answer.synonyms import synonym_table
from quotebot.retrieval.index import tokens
from quotebot.retrieval.index.analysis import field_text
from quotebot.retrieval.index.bm25 import SparseBM25
from quotebot.retrieval.index.corpus_index import CorpusIndex, build_index
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

    @cached_property
    def catalogue(self) -> Catalogue:
        return Catalogue(self.documents)

    def ask(self, question: str, top_k: int = DEFAULT_TOP_K) -> Answer:
        """Quote the passage that answers ``question``, or decline and say why."""
        parsed = analyze(question)
        about_document = is_about_document(parsed, self.catalogue)
        if not about_document:
            parsed = name_the_author(parsed, self.catalogue)
        ranking = self._ranked(parsed, top_k)
        hits = ranking.hits
        if about_document:
            return answer_about_document(parsed, self.catalogue, hits)
        if not parsed.topic_terms:
            return _decline(parsed, hits, "The question has no words to search for.")
        if ranking.matches is None or not hits:
            return _decline(parsed, hits, "Nothing in the corpus matches those words.")
        evidence = self._evidence(parsed, ranking)
        confidence = answer_probability(evidence)
        if self._declines(confidence < THRESHOLD, ranking.similarity):
            return _decline(parsed, hits, "The closest passage does not cover the question.", confidence)
        best, position = hits[0].passage, ranking.positions[0]
        quote = choose_quote(best.text, self.corpus.sentences.spans(position), ranking.matches, ranking.candidates[0])
        return Answer(
            question=parsed.text,
            answered=True,
            quote=quote.text,
            hits=hits,
            matched_terms=evidence.found,
            highlights=highlight_spans(quote.text, parsed),
            source=best.document,
            section=best.section,
            confidence=confidence,
        )

    def rank(self, question: Question, top_k: int = DEFAULT_TOP_K) -> tuple[Hit, ...]:
        """The best passages for ``question``, best first; passages sharing no term never appear."""
        return self._ranked(question, top_k).hits

    def evidence(self, question: Question) -> Evidence | None:
        """What the best passage holds of ``question`` (``None`` when no passage shares a term with it)."""
        ranking = self._ranked(question, 1)
        return self._evidence(question, ranking) if ranking.hits else None

    def _evidence(self, question: Question, ranking: _Ranking) -> Evidence:
        """The decline model's evidence about the first hit: which of the question's terms the passage has.

        A passage's terms are its sentences' (already matched) and its heading's and title's.
        """
        assert ranking.matches is not None, "only for a ranking with hits"
        bm25, terms, passage = self.corpus.bm25, ranking.matches.terms, ranking.hits[0].passage
        held = ranking.matches.present[ranking.matches.rows(ranking.candidates[0])].any(axis=0)
        field_ids = [bm25.vocabulary[t] for t in tokens.terms(field_text(passage)) if t in bm25.vocabulary]
        held |= np.isin(terms.columns, field_ids)
        found = terms.match(terms.found(held[np.newaxis])[0])
        return gather_evidence(question, found, ranking.hits[0].score, bm25.idf, bm25.k1)

    def _declines(self, lexical_decline: bool, similarity: float | None) -> bool:
        if similarity is None:
            return lexical_decline
        return similarity < SEMANTIC_FLOOR or (lexical_decline and similarity < SEMANTIC_OVERRIDE)

    def _ranked(self, question: Question, top_k: int) -> _Ranking:
        """BM25's candidates re-ranked by their best sentence (and by meaning when a re-ranker is set)."""
        top_k = max(0, min(top_k, MAX_TOP_K))
        bm25 = self.corpus.bm25
        candidates = bm25_candidates(bm25, question, max(top_k, CANDIDATES))
        if not candidates or not top_k:
            return _Ranking((), (), (), None, None)
        positions = [i for i, _ in candidates]
        terms = QuestionTerms.of(question, bm25.vocabulary, bm25.idf)
        matches = match_sentences(question, terms, self.corpus.sentences.gather(positions), self.corpus.number_terms)
        leader = candidates[0][1]
        fused = [
            score / leader + SENTENCE_WEIGHT * share for (_, score), share in zip(candidates, matches.best_shares())
        ]
        similarity = None
        if self.reranker is not None:
            cosines = self.reranker.similarities(question.text, [self.passages[i] for i in positions])
            fused = [value + SEMANTIC_WEIGHT * float(cosine) for value, cosine in zip(fused, cosines)]
            similarity = float(np.max(cosines))
        order = sorted(range(len(candidates)), key=lambda n: fused[n], reverse=True)[:top_k]
        hits = tuple(
            Hit(rank, candidates[n][1], self.passages[candidates[n][0]]) for rank, n in enumerate(order, start=1)
        )
        return _Ranking(hits, tuple(positions[n] for n in order), tuple(order), matches, similarity)


def analyse_built_in_words() -> None:
    """Analyse the word lists answering reads (framing and metadata words, synonyms) now, if not yet done.

    A saved index carries every word its process has analysed (``tokens.WordTable``):
    with these among them, a restarted process answers without loading the stemmer.
    """
    framing_terms()
    metadata_terms()
    synonym_table()


def bm25_candidates(bm25: SparseBM25, question: Question, count: int) -> list[tuple[int, float]]:
    """The ``count`` best (passage, BM25 score) pairs, the question's synonyms counting ``SYNONYM_WEIGHT``."""
    expansion = question.expansion_terms()
    query = [*question.terms, *expansion]
    weights = [1.0] * len(question.terms) + [SYNONYM_WEIGHT] * len(expansion)
    return bm25.top(query, count, weights)


@dataclass(frozen=True)
class _Ranking:
    """The hits for one question, and what answering them further needs.

    ``positions[i]`` is the passage of ``hits[i]`` in the corpus and
    ``candidates[i]`` its place among the candidates ``matches`` scored.
    """

    hits: tuple[Hit, ...]
    positions: tuple[int, ...]
    candidates: tuple[int, ...]
    matches: SentenceMatches | None
    similarity: float | None


def _decline(question: Question, hits: tuple[Hit, ...], reason: str, confidence: float | None = None) -> Answer:
    return Answer(
        question=question.text, answered=False, quote=None, hits=hits, decline_reason=reason, confidence=confidence
    )
