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
path runs on words alone, with models calibrated for that. So does a
question whose candidates have no vectors yet: it never waits for the model
to embed passages (about 0.1 s each on this project's CPU, more while other
work runs); its candidates are asked for first (``PassageVectors.request``),
so the next question about them is answered by meaning too. Embedding the
question's own text (a few milliseconds) is the only model work a question
waits for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from quotebot.retrieval.answer.confidence import Signals, judge
from quotebot.retrieval.answer.evidence import Evidence, gather_evidence
from quotebot.retrieval.answer.fusion import CANDIDATES, NEAREST, Candidate, fused_score
from quotebot.retrieval.answer.matching import QuestionTerms, among
from quotebot.retrieval.answer.metadata import (
    Catalogue,
    answer_about_document,
    is_about_document,
    metadata_terms,
    name_the_author,
)
from quotebot.retrieval.answer.models import Answer, Hit, Outcome, Ranking
from quotebot.retrieval.answer.questions import Question, analyze, framing_terms, with_corrected_terms
from quotebot.retrieval.answer.quoting import Quote, choose_quote, highlight_spans
from quotebot.retrieval.answer.sentence_evidence import CandidateText, number_word_terms, sentence_evidence
from quotebot.retrieval.answer.spelling import correct_terms
from quotebot.retrieval.answer.synonyms import synonym_table
from quotebot.retrieval.index import tokens
from quotebot.retrieval.index.analysis import field_text
from quotebot.retrieval.index.corpus_index import CorpusIndex, build_index
from quotebot.retrieval.index.embedding import TextEmbedder
from quotebot.retrieval.index.passage_vectors import PassageVectors, question_vector
from quotebot.retrieval.index.vector_store import VectorStore
from quotebot.retrieval.ingest.models import Document, Passage

DEFAULT_TOP_K = 3
MAX_TOP_K = 25
# Weight of a synonym's match relative to the question's own word.
SYNONYM_WEIGHT = 0.3


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

    @cached_property
    def catalogue(self) -> Catalogue:
        return Catalogue(self.documents)

    def ask(self, question: str, top_k: int = DEFAULT_TOP_K) -> Answer:
        """Quote the passage that answers ``question``, or decline and say why."""
        return self.explain(question, top_k)[0]

    def explain(self, question: str, top_k: int = DEFAULT_TOP_K) -> tuple[Answer, Signals | None]:
        """The answer, and the signals its outcome was judged on (``None`` when no quote was judged)."""
        parsed = analyze(question)
        about_document = is_about_document(parsed, self.catalogue)
        if not about_document:
            parsed = self._spelt_as_the_corpus(name_the_author(parsed, self.catalogue))
        candidates, terms, ranking = self._candidates(parsed)
        hits = self._hits(candidates, top_k)
        if about_document:
            answer = answer_about_document(parsed, self.catalogue, hits)
            return replace(answer, ranking=ranking), None
        if not parsed.topic_terms:
            return _decline(parsed, hits, "The question has no words to search for."), None
        if not candidates:
            return _decline(parsed, hits, "Nothing in the corpus matches those words."), None
        best = candidates[0]
        # The first hit is the best candidate's passage, already made.
        passage = hits[0].passage if hits else self.passages[best.position]
        quote = choose_quote(passage.text, best.evidence, parsed)
        signals = self._signals(parsed, terms, candidates, passage, quote)
        outcome, confidence = judge(signals)
        if outcome is Outcome.DECLINED:
            declined = _decline(parsed, hits, "The closest passage does not cover the question.", confidence)
            return replace(declined, ranking=ranking), signals
        answer = Answer(
            question=parsed.text,
            outcome=outcome,
            quote=quote.text,
            hits=hits,
            matched_terms=signals.evidence.found,
            highlights=highlight_spans(quote.text, parsed),
            source=passage.document,
            section=passage.section,
            confidence=confidence,
            ranking=ranking,
        )
        return answer, signals

    def _spelt_as_the_corpus(self, question: Question) -> Question:
        bm25 = self.corpus.bm25
        corrections = correct_terms(question.search_text or question.text, bm25.terms, bm25.vocabulary.__contains__)
        return with_corrected_terms(question, corrections)

    def _candidates(self, question: Question) -> tuple[list[Candidate], QuestionTerms | None, Ranking]:
        """Every candidate passage, best first (none when no passage shares a term with the question), the
        question's terms as they were matched (``None`` with no candidate), and how they were ranked."""
        bm25 = self.corpus.bm25
        query, weights = bm25_query(question)
        proposed = bm25.top(query, CANDIDATES, weights)
        if not proposed:
            return [], None, Ranking.LEXICAL
        leader = proposed[0][1]
        scores = dict(proposed)
        unit_question = self._question_vector(question, list(scores))
        if unit_question is None:
            positions: list[int] = list(scores)
            cosines: list[float | None] = [None] * len(positions)
        else:
            assert self.vectors is not None
            nearest = [p for p in self.vectors.nearest(unit_question, NEAREST) if p not in scores]
            scores.update(zip(nearest, bm25.scores_of(query, nearest, weights).tolist()))
            positions = list(scores)
            cosines = self.vectors.passage_cosines(unit_question, positions).tolist()
        table, passages = self.corpus.sentences, self.corpus.passages
        batch = table.gather(positions)
        texts = [
            CandidateText(
                spans,
                None if unit_question is None else self.vectors.sentence_cosines(unit_question, position),  # type: ignore[union-attr]
            )
            for position, spans in zip(positions, table.batch_spans(batch))
        ]
        terms = QuestionTerms.of(question, bm25.vocabulary, bm25.idf)
        evidence = sentence_evidence(
            question, terms, batch, texts, bm25.vocabulary, self.corpus.number_terms, lambda: passages.texts(positions)
        )
        candidates = [
            Candidate(position, scores[position], found, cosine, fused_score(scores[position] / leader, found, cosine))
            for position, found, cosine in zip(positions, evidence, cosines)
        ]
        candidates.sort(key=lambda candidate: (-candidate.score, candidate.position))
        return candidates, terms, Ranking.LEXICAL if unit_question is None else Ranking.SEMANTIC

    def _question_vector(self, question: Question, proposed: list[int]) -> np.ndarray | None:
        """The question's unit vector when every passage BM25 proposed has its vectors, else ``None`` (words alone
        rank them, and the missing ones are asked for first)."""
        if self.vectors is None:
            return None
        missing = self.vectors.missing(proposed)
        if missing:
            self.vectors.request(missing)
            return None
        return question_vector(self.vectors.embedder, question.search_text or question.text)

    def _hits(self, candidates: list[Candidate], top_k: int) -> tuple[Hit, ...]:
        top_k = max(0, min(top_k, MAX_TOP_K))
        return tuple(
            Hit(rank, candidate.bm25, self.passages[candidate.position])
            for rank, candidate in enumerate(candidates[:top_k], start=1)
        )

    def _evidence(self, question: Question, terms: QuestionTerms, candidate: Candidate, passage: Passage) -> Evidence:
        """What the candidate passage holds of the question: the terms of its sentences (already matched), its
        heading and its title, which are the terms it is indexed with (``analysis``), with no postings search."""
        bm25 = self.corpus.bm25
        held = candidate.evidence.terms_held | self._heading_terms(terms, passage)
        found = terms.match(terms.found(held[np.newaxis])[0])
        return gather_evidence(question, found, candidate.bm25, bm25.idf, bm25.k1)

    def _heading_terms(self, terms: QuestionTerms, passage: Passage) -> np.ndarray:
        """Which of the question's term columns the passage's heading and title hold (shown with every quote)."""
        bm25 = self.corpus.bm25
        field_ids = [bm25.vocabulary[term] for term in tokens.terms(field_text(passage)) if term in bm25.vocabulary]
        return among(terms.columns, field_ids)

    def _signals(
        self,
        question: Question,
        terms: QuestionTerms | None,
        candidates: list[Candidate],
        passage: Passage,
        quote: Quote,
    ) -> Signals:
        """What the outcome is judged on; ``passage`` is the best candidate's."""
        assert terms is not None, "only for a question with candidates"
        best = candidates[0]
        evidence = best.evidence
        quoted = [i for i, (a, b) in enumerate(evidence.spans) if a >= quote.start and b <= quote.end]
        semantic = best.cosine is not None and evidence.cosines is not None
        passage_evidence = self._evidence(question, terms, best, passage)
        heading = self._heading_terms(terms, passage)
        whole_quote = evidence.terms_found[quoted].any(axis=0) | terms.found(heading[np.newaxis])[0]
        held = (evidence.terms_held | heading)[np.newaxis]
        passage_found = terms.found(held)[0]
        # A term the passage holds only through an everyday synonym, and not in the quote, says nothing about
        # which of its sentences answers: it counts neither for nor against the quote.
        by_synonym_elsewhere = passage_found & ~terms.held_directly(held)[0] & ~whole_quote
        return Signals(
            quote=quote.text,
            evidence=passage_evidence,
            names_missing=bool(question.name_terms - passage_evidence.found),
            names_missing_from_quote=bool(question.name_terms - terms.match(whole_quote).found),
            rank_margin=best.score - candidates[1].score if len(candidates) > 1 else best.score,
            quote_share=max(terms.share(found, ignoring=by_synonym_elsewhere) for found in evidence.terms_found[quoted]),
            whole_quote_share=terms.share(whole_quote, ignoring=by_synonym_elsewhere),
            passage_share=terms.share(passage_found, ignoring=by_synonym_elsewhere),
            answer_kind_asked=question.answer_type is not None,
            answer_kind_offered=bool(evidence.offers_answer[quoted].any()),
            passage_cosine=best.cosine if semantic else None,
            best_passage_cosine=max(c.cosine for c in candidates if c.cosine is not None) if semantic else None,
            quote_cosine=float(evidence.cosines[quoted].max()) if semantic else None,  # type: ignore[index]
            best_sentence_cosine=max(c.best_sentence_cosine for c in candidates if c.best_sentence_cosine is not None)
            if semantic
            else None,
        )


def analyse_built_in_words() -> None:
    """Analyse the word lists answering reads (framing, metadata and number words, synonyms) now, if not yet done.

    A saved index carries every word its process has analysed (``tokens.WordTable``):
    with these among them, a restarted process answers without loading the stemmer.
    """
    framing_terms()
    metadata_terms()
    synonym_table()
    number_word_terms()


def bm25_query(question: Question) -> tuple[list[str], list[float]]:
    """The question's terms and their everyday synonyms, the synonyms weighing ``SYNONYM_WEIGHT``."""
    expansion = question.expansion_terms()
    return [*question.terms, *expansion], [1.0] * len(question.terms) + [SYNONYM_WEIGHT] * len(expansion)


def _decline(question: Question, hits: tuple[Hit, ...], reason: str, confidence: float = 0.0) -> Answer:
    return Answer(
        question=question.text,
        outcome=Outcome.DECLINED,
        quote=None,
        hits=hits,
        confidence=confidence,
        decline_reason=reason,
    )
