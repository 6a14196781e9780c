"""One corpus snapshot that answers questions.

Everything a question needs is built once and never mutated (the passage
vectors only fill in), so a snapshot can answer from a worker thread while
the next one is being built, and swapping corpora is one assignment.

Answering is: the question is cleaned, its chat shorthand spelt out and its
misspelt words matched to the corpus's (``spelling``); BM25 (with everyday
synonyms at a lower weight) picks candidates, joined by the passages
nearest in meaning when the semantic model is on; candidates are ranked by
words and meaning together (``fusion``); the best passage's answering
sentence is quoted (``quoting``); and two calibrated models decide whether
to answer, to answer while saying it may not answer, or to decline
(``confidence``).

Without the semantic model (``--lexical``, or when it cannot load) the same
path runs on words alone, with models calibrated for that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from quotebot.retrieval.answer.confidence import Signals, judge
from quotebot.retrieval.answer.evidence import Evidence, gather_evidence
from quotebot.retrieval.answer.fusion import CANDIDATES, NEAREST, Candidate, fused_score
from quotebot.retrieval.answer.matching import QuestionTerms
from quotebot.retrieval.answer.metadata import answer_about_document, is_about_document, name_the_author
from quotebot.retrieval.answer.questions import Question, analyze, with_corrected_terms
from quotebot.retrieval.answer.quoting import Quote, choose_quote, highlight_spans
from quotebot.retrieval.answer.sentence_evidence import CandidateText, sentence_evidence
from quotebot.retrieval.answer.spelling import correct_terms
from quotebot.retrieval.index.corpus_index import CorpusIndex, build_index
from quotebot.retrieval.index.embedding import TextEmbedder
from quotebot.retrieval.index.passage_vectors import PassageVectors
from quotebot.retrieval.index.vector_store import VectorStore
from quotebot.retrieval.ingest.models import Answer, Document, Hit, Outcome, Passage

DEFAULT_TOP_K = 3
MAX_TOP_K = 25
# Weight of a synonym's match relative to the question's own word.
SYNONYM_WEIGHT = 0.3
# BM25's best candidates that get vectors computed while the question waits, when they have none yet
# (a new corpus still being embedded): a bounded cost, about 0.6 s at worst on this project's CPU.
EMBED_WHILE_ASKED = 8


@dataclass(frozen=True)
class QuoteEngine:
    """Answers questions from one ``CorpusIndex``, with its passages' vectors when the semantic model is on."""

    corpus: CorpusIndex
    vectors: PassageVectors | None = None

    @classmethod
    def build(
        cls, documents: Sequence[Document], embedder: TextEmbedder | None = None, store: VectorStore | None = None
    ) -> QuoteEngine:
        """An engine over ``documents``, every passage embedded first when ``embedder`` is given.

        Vectors are kept in ``store`` (and found there again) when one is given, else in memory only.
        """
        index = build_index(documents)
        if embedder is None:
            return cls(index)
        if store is None:
            store = VectorStore([], embedder.identity, embedder.dimension)
        vectors = PassageVectors(index.passages, store, embedder)
        vectors.ensure(range(len(index.passages)))
        store.flush()
        return cls(index, vectors)

    @property
    def documents(self) -> tuple[Document, ...]:
        return self.corpus.documents

    @property
    def passages(self) -> Sequence[Passage]:
        return self.corpus.passages

    def ask(self, question: str, top_k: int = DEFAULT_TOP_K) -> Answer:
        """Quote the passage that answers ``question``, or decline and say why."""
        return self.explain(question, top_k)[0]

    def explain(self, question: str, top_k: int = DEFAULT_TOP_K) -> tuple[Answer, Signals | None]:
        """The answer, and the signals its outcome was judged on (``None`` when no quote was judged)."""
        parsed = analyze(question)
        about_document = is_about_document(parsed, self.documents)
        if not about_document:
            parsed = self._spelt_as_the_corpus(name_the_author(parsed, self.documents))
        candidates = self._candidates(parsed)
        hits = self._hits(candidates, top_k)
        if about_document:
            answer = answer_about_document(parsed, self.documents, hits)
            return _with_confidence(answer, 1.0 if answer.answered else 0.0), None
        if not parsed.topic_terms:
            return _decline(parsed, hits, "The question has no words to search for."), None
        if not candidates:
            return _decline(parsed, hits, "Nothing in the corpus matches those words."), None
        best = candidates[0]
        passage = self.passages[best.position]
        quote = choose_quote(passage.text, best.evidence, parsed)
        signals = self._signals(parsed, candidates, quote)
        outcome, confidence = judge(signals)
        if outcome is Outcome.DECLINED:
            return _decline(parsed, hits, "The closest passage does not cover the question.", confidence), signals
        answer = Answer(
            question=parsed.text,
            answered=True,
            quote=quote.text,
            hits=hits,
            matched_terms=self._evidence(parsed, best).found,
            highlights=highlight_spans(quote.text, parsed),
            source=passage.document,
            section=passage.section,
            outcome=outcome,
            confidence=confidence,
        )
        return answer, signals

    def _spelt_as_the_corpus(self, question: Question) -> Question:
        bm25 = self.corpus.bm25
        corrections = correct_terms(question.search_text or question.text, bm25.terms, bm25.vocabulary.__contains__)
        return with_corrected_terms(question, corrections)

    def _candidates(self, question: Question) -> list[Candidate]:
        """Every candidate passage, best first (none when no passage shares a term with the question)."""
        bm25 = self.corpus.bm25
        query, weights = bm25_query(question)
        proposed = bm25.top(query, CANDIDATES, weights)
        if not proposed:
            return []
        leader = proposed[0][1]
        scores = dict(proposed)
        unit_question = self._question_vector(question, [position for position, _ in proposed])
        if unit_question is None:
            positions: list[int] = list(scores)
            cosines: list[float | None] = [None] * len(positions)
        else:
            assert self.vectors is not None
            usable = [position for position in scores if self.vectors.is_ready(position)]
            nearest = [p for p in self.vectors.nearest(unit_question, NEAREST) if p not in scores]
            scores.update(zip(nearest, bm25.scores_of(query, nearest, weights).tolist()))
            positions = usable + nearest
            cosines = self.vectors.passage_cosines(unit_question, positions).tolist()
        table = self.corpus.sentences
        texts = [
            CandidateText(
                self.passages[position].text,
                table.spans(position),
                None if unit_question is None else self.vectors.sentence_cosines(unit_question, position),  # type: ignore[union-attr]
            )
            for position in positions
        ]
        terms = QuestionTerms.of(question, bm25.vocabulary, bm25.idf)
        evidence = sentence_evidence(
            question, terms, table.gather(positions), texts, bm25.vocabulary, self.corpus.number_terms
        )
        candidates = [
            Candidate(position, scores[position], found, cosine, fused_score(scores[position] / leader, found, cosine))
            for position, found, cosine in zip(positions, evidence, cosines)
        ]
        candidates.sort(key=lambda candidate: (-candidate.score, candidate.position))
        return candidates

    def _question_vector(self, question: Question, proposed: list[int]) -> np.ndarray | None:
        """The question's unit vector when the semantic path can run, after embedding BM25's best if they lack vectors."""
        if self.vectors is None:
            return None
        self.vectors.ensure(proposed[:EMBED_WHILE_ASKED])
        return self.vectors.embedder.embed([question.search_text or question.text])[0]

    def _hits(self, candidates: list[Candidate], top_k: int) -> tuple[Hit, ...]:
        top_k = max(0, min(top_k, MAX_TOP_K))
        return tuple(
            Hit(rank, candidate.bm25, self.passages[candidate.position])
            for rank, candidate in enumerate(candidates[:top_k], start=1)
        )

    def _evidence(self, question: Question, candidate: Candidate) -> Evidence:
        """What the candidate passage holds of the question, its terms read from the postings."""
        bm25 = self.corpus.bm25
        terms = QuestionTerms.of(question, bm25.vocabulary, bm25.idf)
        found = terms.match(terms.found(bm25.holds(candidate.position, terms.columns)[np.newaxis])[0])
        return gather_evidence(question, found, candidate.bm25, bm25.idf, bm25.k1)

    def _signals(self, question: Question, candidates: list[Candidate], quote: Quote) -> Signals:
        best = candidates[0]
        evidence = best.evidence
        quoted = [i for i, (a, b) in enumerate(evidence.spans) if a >= quote.start and b <= quote.end]
        semantic = best.cosine is not None and evidence.cosines is not None
        passage_evidence = self._evidence(question, best)
        return Signals(
            quote=quote.text,
            evidence=passage_evidence,
            names_missing=bool(question.name_terms - passage_evidence.found),
            quote_share=float(evidence.lexical[quoted].max()),
            answer_kind_asked=question.answer_type is not None,
            answer_kind_offered=bool(evidence.offers_answer[quoted].any()),
            passage_cosine=best.cosine if semantic else None,
            best_passage_cosine=max(c.cosine for c in candidates if c.cosine is not None) if semantic else None,
            quote_cosine=float(evidence.cosines[quoted].max()) if semantic else None,  # type: ignore[index]
            best_sentence_cosine=max(c.best_sentence_cosine for c in candidates if c.best_sentence_cosine is not None)
            if semantic
            else None,
        )


def bm25_query(question: Question) -> tuple[list[str], list[float]]:
    """The question's terms and their everyday synonyms, the synonyms weighing ``SYNONYM_WEIGHT``."""
    expansion = question.expansion_terms()
    return [*question.terms, *expansion], [1.0] * len(question.terms) + [SYNONYM_WEIGHT] * len(expansion)


def _with_confidence(answer: Answer, confidence: float) -> Answer:
    return replace(answer, confidence=confidence)


def _decline(question: Question, hits: tuple[Hit, ...], reason: str, confidence: float = 0.0) -> Answer:
    return Answer(
        question=question.text, answered=False, quote=None, hits=hits, decline_reason=reason, confidence=confidence
    )
