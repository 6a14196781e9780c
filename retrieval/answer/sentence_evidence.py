"""What each sentence of the candidate passages holds of a question: its words, their order, the wanted kind of answer, its meaning.

Answers sit in one sentence, so ranking, quoting and confidence all read the
same per-sentence evidence: the idf-weighted share of the question's terms
(``matching``), the share of the question's adjacent term pairs found
adjacent ("largest item" in "the largest item from Italy"), whether it
offers the kind of answer the question asks for (``answer_type``), and,
when the semantic model is on, its cosine similarity to the question.

The sentences and their terms come from the index (``SentenceTable``, where
they were analysed once), so every candidate's sentences are scored together
by array operations; only the answer kind of a date, person or place
question reads the sentences' text. What only some steps read is computed
when first read: the word pairs (the semantic path's ranking) and, for a
kind read from text, each sentence's answer kind (ranking reads it only of
the sentences it could change, quoting of the quoted passage).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import pairwise

import numpy as np

from quotebot.retrieval.answer.answer_type import NUMBER_WORDS, AnswerType, offers
from quotebot.retrieval.answer.matching import QuestionTerms, among
from quotebot.retrieval.answer.questions import Question
from quotebot.retrieval.index.sentence_table import SentenceBatch
from quotebot.retrieval.index.tokens import terms as analysed


# Made for every candidate of every question: plain slots (see ``fusion.Candidate``), and only a slice of the
# candidates' shared figures each: most candidates are ranked and never read again.
@dataclass(slots=True)
class SentenceEvidence:
    """Per sentence of one passage, in reading order; ``cosines`` is ``None`` without the semantic model.

    ``terms_held`` is per column of the question's ``QuestionTerms``: whether any sentence has that term;
    ``terms_found`` is per sentence and topic term (``QuestionTerms.wanted``): whether the sentence holds it.
    Every figure but the cosines is read from the candidates' shared figures (``rows`` of them; the
    passage is candidate ``candidate`` there).
    """

    spans: tuple[tuple[int, int], ...]
    shared: _SharedFigures
    rows: slice
    candidate: int
    cosines: np.ndarray | None = None

    @property
    def lexical(self) -> np.ndarray:
        return self.shared.lexical[self.rows]

    @property
    def repeats_question_number(self) -> np.ndarray:
        return self.shared.repeats_question_number[self.rows]

    @property
    def terms_held(self) -> np.ndarray:
        return self.shared.present[self.rows].any(axis=0)

    @property
    def terms_found(self) -> np.ndarray:
        return self.shared.found[self.rows]

    def __len__(self) -> int:
        return len(self.spans)

    @property
    def bigrams(self) -> np.ndarray:
        return self.shared.pair_shares[self.rows]

    @property
    def offers_answer(self) -> np.ndarray:
        return self.shared.offers(np.arange(self.rows.start, self.rows.stop))

    def answer_kind_share(self, bonus: float) -> float:
        """``max(lexical + bonus * offers_answer)``: the best sentence's share with ``bonus`` where it offers
        the kind of answer asked for (all candidates' at once, ``_SharedFigures.answer_kind_shares``)."""
        return self.shared.answer_kind_shares(bonus)[self.candidate]


class _SharedFigures:
    """The figures of all the candidates' sentences: each sentence's presence of the question's terms and share of
    it, made for every question, and the rest, computed only when first read (most candidates are never read)."""

    def __init__(
        self,
        question: Question,
        batch: SentenceBatch,
        candidates: Sequence[CandidateText],
        present: np.ndarray,
        found: np.ndarray,
        lexical: np.ndarray,
        numbers_offered: np.ndarray | None,
        vocabulary: Mapping[str, int],
        read_texts: Callable[[], Sequence[str]],
    ) -> None:
        """``present``, ``found`` and ``lexical``: each sentence's ``QuestionTerms.presence``, topic terms held
        (``QuestionTerms.found``) and share of the question;
        ``numbers_offered``: for a number question, the sentences that offer one (read from the terms)."""
        self._question, self._batch, self._candidates, self._vocabulary = question, batch, candidates, vocabulary
        self.present, self.found, self.lexical, self._read_texts = present, found, lexical, read_texts
        self._kind_shares: dict[float, list[float]] = {}
        rows = len(batch.sentences)
        self._offered = np.zeros(rows, dtype=bool) if numbers_offered is None else numbers_offered
        # Sentences whose answer kind is still to be read from their text.
        self._unread = np.full(rows, numbers_offered is None and question.answer_type is not None)

    @cached_property
    def pair_shares(self) -> np.ndarray:
        return _pair_shares(self._question, self._batch, len(self.lexical), self._vocabulary)

    @cached_property
    def repeats_question_number(self) -> np.ndarray:
        """Whether each sentence names a number the question names ("in 2019"): the same year or figure."""
        vocabulary, batch = self._vocabulary, self._batch
        asked_numbers = [vocabulary[term] for term in self._question.terms if term[:1].isdigit() and term in vocabulary]
        repeats = np.zeros(len(self.lexical), dtype=bool)
        if asked_numbers:
            repeats[batch.term_rows[among(batch.term_ids, asked_numbers)]] = True
        return repeats

    def answer_kind_shares(self, bonus: float) -> list[float]:
        """Per candidate, ``max(lexical + bonus * offers)`` over its sentences.

        Only a sentence within ``bonus`` of its passage's best share can raise
        the maximum, so only those have their answer kind read.
        """
        shares = self._kind_shares.get(bonus)
        if shares is None:
            lexical, batch = self.lexical, self._batch
            best = np.maximum.reduceat(lexical, batch.bounds[:-1])
            if self._question.answer_type is not None:  # else no sentence offers one
                could = np.flatnonzero(lexical + bonus > best[batch.owners])
                raised = could[self.offers(could)]
                np.maximum.at(best, batch.owners[raised], lexical[raised] + bonus)
            shares = self._kind_shares[bonus] = best.tolist()
        return shares

    def offers(self, rows: np.ndarray) -> np.ndarray:
        """Whether the sentences at ``rows`` offer the kind of answer asked for."""
        unread = rows[self._unread[rows]]
        if len(unread):
            wanted, question = self._question.answer_type, self._question.text
            assert wanted is not None
            texts, owners, spans = self._texts, self._owners, self._spans
            self._offered[unread] = [
                offers(texts[owners[row]][slice(*spans[row])], wanted, question) for row in unread.tolist()
            ]
            self._unread[unread] = False
        return self._offered[rows]

    @cached_property
    def _texts(self) -> Sequence[str]:
        return self._read_texts()

    @cached_property
    def _owners(self) -> list[int]:
        return self._batch.owners.tolist()

    @cached_property
    def _spans(self) -> list[tuple[int, int]]:
        """Every candidate sentence's span in its passage, in row order."""
        return [span for candidate in self._candidates for span in candidate.spans]


@dataclass(slots=True)
class CandidateText:
    """A candidate passage as sentence evidence needs it: its sentence spans and sentence cosines."""

    spans: Sequence[tuple[int, int]]
    cosines: np.ndarray | None = None


def sentence_evidence(
    question: Question,
    terms: QuestionTerms,
    batch: SentenceBatch,
    candidates: Sequence[CandidateText],
    vocabulary: Mapping[str, int],
    number_terms: np.ndarray,
    read_texts: Callable[[], Sequence[str]],
) -> list[SentenceEvidence]:
    """The evidence of every sentence of ``candidates``, whose sentences ``batch`` gathered in the same order.

    ``number_terms`` flags the vocabulary's numbers (``CorpusIndex.number_terms``); ``read_texts`` gives
    the candidates' texts, read only for a question whose answer kind is read from text (a date, person or place).
    """
    rows = len(batch.sentences)
    present = terms.presence(batch.term_ids, batch.term_rows, rows)
    found = terms.found(present)
    lexical = terms.shares(found)
    numbers = (
        _offers_number(terms, batch, rows, vocabulary, number_terms) if question.answer_type is AnswerType.NUMBER else None
    )
    shared = _SharedFigures(question, batch, candidates, present, found, lexical, numbers, vocabulary, read_texts)
    bounds = batch.bounds.tolist()
    return [
        SentenceEvidence(
            spans=tuple(candidate.spans),
            shared=shared,
            rows=slice(bounds[n], bounds[n + 1]),
            candidate=n,
            cosines=None if candidate.cosines is None or len(candidate.cosines) != len(candidate.spans) else candidate.cosines,
        )
        for n, candidate in enumerate(candidates)
    ]


def _pair_shares(question: Question, batch: SentenceBatch, rows: int, vocabulary: Mapping[str, int]) -> np.ndarray:
    """Each sentence's share of the question's adjacent topic-term pairs that it holds adjacent."""
    size = len(vocabulary)
    pairs = set(pairwise(question.topic_terms))
    known = [(vocabulary[a], vocabulary[b]) for a, b in pairs if a in vocabulary and b in vocabulary]
    wanted = np.array(sorted(a * size + b for a, b in known), dtype=np.int64)
    if not len(wanted) or len(batch.term_ids) < 2:
        return np.zeros(rows, dtype=np.float64)
    # Only where a pair's first term stands, in the same sentence as the next term, can a pair be.
    term_ids, term_rows = batch.term_ids, batch.term_rows
    at = np.flatnonzero(among(term_ids[:-1], [a for a, _ in known]))
    at = at[term_rows[at] == term_rows[at + 1]]
    codes = term_ids[at].astype(np.int64) * size + term_ids[at + 1]
    hit = among(codes, wanted)
    # Each (sentence, wanted pair) once: the pair's place in ``wanted`` makes one key with the sentence.
    keys = np.unique(term_rows[at[hit]].astype(np.int64) * len(wanted) + np.searchsorted(wanted, codes[hit]))
    # A pair with a term the corpus never uses is held nowhere, but still counts in the share.
    return np.bincount(keys // len(wanted), minlength=rows) / len(pairs)


def _offers_number(
    terms: QuestionTerms, batch: SentenceBatch, rows: int, vocabulary: Mapping[str, int], number_terms: np.ndarray
) -> np.ndarray:
    """Which sentences offer a number, read from the terms: a number, or a number word, the question does not give."""
    offered = np.zeros(rows, dtype=bool)
    words = [vocabulary[term] for term in number_word_terms() if term in vocabulary]
    numeric = number_terms[batch.term_ids] | among(batch.term_ids, words)
    fresh = numeric & ~among(batch.term_ids, terms.asked)
    offered[batch.term_rows[fresh]] = True
    return offered


@lru_cache(maxsize=1)
def number_word_terms() -> tuple[str, ...]:
    return tuple(term for word in sorted(NUMBER_WORDS) for term in analysed(word))
