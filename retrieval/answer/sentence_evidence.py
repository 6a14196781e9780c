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
question reads the sentences' text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np

from quotebot.retrieval.answer.answer_type import NUMBER_WORDS, AnswerType, offers
from quotebot.retrieval.answer.matching import QuestionTerms
from quotebot.retrieval.answer.questions import Question
from quotebot.retrieval.index.sentence_table import SentenceBatch
from quotebot.retrieval.index.tokens import terms as analysed


@dataclass(frozen=True)
class SentenceEvidence:
    """Per sentence of one passage, in reading order; ``cosines`` is ``None`` without the semantic model."""

    spans: tuple[tuple[int, int], ...]
    lexical: np.ndarray
    bigrams: np.ndarray
    offers_answer: np.ndarray
    repeats_question_number: np.ndarray
    cosines: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.spans)


@dataclass(frozen=True)
class CandidateText:
    """A candidate passage as sentence evidence needs it: its text, sentence spans and sentence cosines."""

    text: str
    spans: Sequence[tuple[int, int]]
    cosines: np.ndarray | None = None


def sentence_evidence(
    question: Question,
    terms: QuestionTerms,
    batch: SentenceBatch,
    candidates: Sequence[CandidateText],
    vocabulary: Mapping[str, int],
    number_terms: np.ndarray,
) -> list[SentenceEvidence]:
    """The evidence of every sentence of ``candidates``, whose sentences ``batch`` gathered in the same order.

    ``number_terms`` flags the vocabulary's numbers (``CorpusIndex.number_terms``).
    """
    rows = len(batch.sentences)
    lexical = terms.shares(terms.found(terms.presence(batch.term_ids, batch.term_rows, rows)))
    bigrams = _pair_shares(question, batch, rows, vocabulary)
    offered = _offers_answer(question, terms, batch, candidates, rows, vocabulary, number_terms)
    # A number the question names ("in 2019"): the sentence speaks of the same year or figure.
    asked_numbers = [vocabulary[term] for term in question.terms if term[:1].isdigit() and term in vocabulary]
    repeats = np.zeros(rows, dtype=bool)
    repeats[batch.term_rows[np.isin(batch.term_ids, asked_numbers)]] = True
    result = []
    for n, candidate in enumerate(candidates):
        rows_of = slice(int(batch.bounds[n]), int(batch.bounds[n + 1]))
        cosines = candidate.cosines
        result.append(
            SentenceEvidence(
                spans=tuple(candidate.spans),
                lexical=lexical[rows_of],
                bigrams=bigrams[rows_of],
                offers_answer=offered[rows_of],
                repeats_question_number=repeats[rows_of],
                cosines=None if cosines is None or len(cosines) != len(candidate.spans) else cosines,
            )
        )
    return result


def _pair_shares(question: Question, batch: SentenceBatch, rows: int, vocabulary: Mapping[str, int]) -> np.ndarray:
    """Each sentence's share of the question's adjacent topic-term pairs that it holds adjacent."""
    size = len(vocabulary)
    pairs = set(pairwise(question.topic_terms))
    known = [(vocabulary[a], vocabulary[b]) for a, b in pairs if a in vocabulary and b in vocabulary]
    wanted = np.array(sorted(a * size + b for a, b in known), dtype=np.int64)
    if not len(wanted) or len(batch.term_ids) < 2:
        return np.zeros(rows, dtype=np.float64)
    term_ids = batch.term_ids.astype(np.int64)
    same_sentence = batch.term_rows[:-1] == batch.term_rows[1:]
    codes = term_ids[:-1] * size + term_ids[1:]
    hit = same_sentence & np.isin(codes, wanted)
    held = np.unique(np.stack([batch.term_rows[:-1][hit], codes[hit]]), axis=1)
    # A pair with a term the corpus never uses is held nowhere, but still counts in the share.
    return np.bincount(held[0], minlength=rows) / len(pairs)


def _offers_answer(
    question: Question,
    terms: QuestionTerms,
    batch: SentenceBatch,
    candidates: Sequence[CandidateText],
    rows: int,
    vocabulary: Mapping[str, int],
    number_terms: np.ndarray,
) -> np.ndarray:
    """Which sentences offer the kind of answer the question asks for (none when it asks for no kind)."""
    wanted = question.answer_type
    offered = np.zeros(rows, dtype=bool)
    if wanted is AnswerType.NUMBER:
        # Read from the terms: a number, or a number word, that the question does not already give.
        words = [vocabulary[term] for term in _number_word_terms() if term in vocabulary]
        numeric = number_terms[batch.term_ids] | np.isin(batch.term_ids, words)
        fresh = numeric & ~np.isin(batch.term_ids, terms.asked)
        offered[batch.term_rows[fresh]] = True
    elif wanted is not None:
        texts = [candidate.text[a:b] for candidate in candidates for a, b in candidate.spans]
        offered[:] = [offers(text, wanted, question.text) for text in texts]
    return offered


@lru_cache(maxsize=1)
def _number_word_terms() -> tuple[str, ...]:
    return tuple(term for word in sorted(NUMBER_WORDS) for term in analysed(word))
