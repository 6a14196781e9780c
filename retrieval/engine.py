"""One immutable corpus snapshot that answers questions.

Everything a question needs (passages, their terms, the BM25 postings) is
built once and never mutated, so a snapshot can answer from a worker thread
while the next one is being built, and swapping corpora is one assignment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.corpus_index import CorpusIndex, build_index
from retrieval.fields import passage_terms
from retrieval.metadata_answers import answer_about_document, is_about_document
from retrieval.models import Answer, Document, Hit, Passage
from retrieval.questions import Question, analyze
from retrieval.quoting import choose_quote, highlight_spans

DEFAULT_TOP_K = 3
MAX_TOP_K = 25
# Share of the question's idf weight the best passage must contain to be quoted.
MIN_COVERAGE = 0.5


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

    def search(self, query_terms: Sequence[str], top_k: int = DEFAULT_TOP_K) -> tuple[Hit, ...]:
        """The best passages for already-analysed terms; zero-score passages never appear."""
        ranked = self.corpus.bm25.top(query_terms, max(0, min(top_k, MAX_TOP_K)))
        return tuple(Hit(rank, score, self.passages[i]) for rank, (i, score) in enumerate(ranked, start=1))

    def ask(self, question: str, top_k: int = DEFAULT_TOP_K) -> Answer:
        """Quote the passage that answers ``question``, or decline and say why."""
        parsed = analyze(question)
        hits = self.search(parsed.terms, top_k)
        if is_about_document(parsed, self.documents):
            return answer_about_document(parsed, self.documents, hits)
        if not parsed.topic_terms:
            return _decline(parsed, hits, "The question has no words to search for.")
        if not hits:
            return _decline(parsed, hits, "Nothing in the corpus matches those words.")
        best = hits[0].passage
        found = set(parsed.topic_terms).intersection(passage_terms(best))
        if self.coverage(parsed.topic_terms, found) < MIN_COVERAGE:
            return _decline(parsed, hits, "The closest passage does not cover the question.")
        quote = choose_quote(best.text, parsed.topic_terms, self.corpus.bm25.idf)
        return Answer(
            question=parsed.text,
            answered=True,
            quote=quote.text,
            hits=hits,
            matched_terms=frozenset(found),
            highlights=highlight_spans(quote.text, parsed.topic_terms),
            source=best.document,
            section=best.section,
        )

    def coverage(self, wanted: Sequence[str], found: set[str]) -> float:
        """The idf-weighted share of the ``wanted`` terms that are ``found``.

        Unlike a raw BM25 score, whose scale changes with the corpus, this is
        comparable across corpora, so one threshold can decide when to decline.
        """
        total = sum(self.corpus.bm25.idf(term) for term in set(wanted))
        return sum(self.corpus.bm25.idf(term) for term in found) / total if total else 0.0


def _decline(question: Question, hits: tuple[Hit, ...], reason: str) -> Answer:
    return Answer(question=question.text, answered=False, quote=None, hits=hits, decline_reason=reason)
