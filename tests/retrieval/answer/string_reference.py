"""The answer path as it was before sentences were analysed at index time: the oracle the array path must equal.

Everything here works on strings at question time, as ``engine.py`` and
``quoting.py`` once did: each candidate passage is split into sentences with
Punkt and each sentence analysed, the best passage's terms are analysed from
its whole text, and matches are sets of strings. The only change from that
code is the one the array path made on purpose: shares add their idf values
in the terms' sorted order (a ``set``'s order changed with the hash seed).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import lru_cache, reduce
from operator import add

from quotebot.retrieval.answer.decline import gather_evidence, should_decline
from quotebot.retrieval.answer.engine import CANDIDATES, MAX_TOP_K, SENTENCE_WEIGHT, QuoteEngine, bm25_candidates
from quotebot.retrieval.answer.matching import Match
from quotebot.retrieval.answer.metadata import answer_about_document, is_about_document, name_the_author
from quotebot.retrieval.answer.questions import Question, analyze
from quotebot.retrieval.answer.quoting import MAX_QUOTE_SENTENCES, MIN_NEIGHBOUR_GAIN, NUMBER_BONUS, highlight_spans
from quotebot.retrieval.index.analysis import FIELD_REPEAT
from quotebot.retrieval.index.tokens import terms
from quotebot.retrieval.ingest.models import Answer, Hit, Passage
from quotebot.retrieval.ingest.sentences import sentence_spans


def ask(engine: QuoteEngine, question: str, top_k: int) -> Answer:
    catalogue, bm25 = engine.catalogue, engine.corpus.bm25
    parsed = analyze(question)
    about_document = is_about_document(parsed, catalogue)
    if not about_document:
        parsed = name_the_author(parsed, catalogue)
    hits = _ranked(engine, parsed, top_k)
    if about_document:
        return answer_about_document(parsed, catalogue, hits)
    if not parsed.topic_terms:
        return _decline(parsed, hits, "The question has no words to search for.")
    if not hits:
        return _decline(parsed, hits, "Nothing in the corpus matches those words.")
    best = hits[0].passage
    found = _match(parsed, set(_passage_terms(best)), bm25.idf)
    evidence = gather_evidence(parsed, found, hits[0].score, bm25.idf, bm25.k1)
    if should_decline(evidence):
        return _decline(parsed, hits, "The closest passage does not cover the question.")
    quote = _choose_quote(best.text, parsed, bm25.idf)
    return Answer(
        question=parsed.text,
        answered=True,
        quote=quote,
        hits=hits,
        matched_terms=evidence.found,
        highlights=highlight_spans(quote, parsed),
        source=best.document,
        section=best.section,
    )


def _ranked(engine: QuoteEngine, question: Question, top_k: int) -> tuple[Hit, ...]:
    top_k = max(0, min(top_k, MAX_TOP_K))
    bm25 = engine.corpus.bm25
    candidates = bm25_candidates(bm25, question, max(top_k, CANDIDATES))
    if not candidates or not top_k:
        return ()
    leader = candidates[0][1]
    fused = [
        score / leader + SENTENCE_WEIGHT * _best_sentence_share(engine.passages[i].text, question, bm25.idf)
        for i, score in candidates
    ]
    order = sorted(range(len(candidates)), key=lambda n: fused[n], reverse=True)[:top_k]
    return tuple(Hit(rank, candidates[n][1], engine.passages[candidates[n][0]]) for rank, n in enumerate(order, 1))


def _passage_terms(passage: Passage) -> list[str]:
    fields = terms(passage.section or "") + terms(passage.document.title)
    return terms(passage.text) + fields * FIELD_REPEAT


def _match(question: Question, text_terms: Collection[str], idf: Callable[[str], float]) -> Match:
    present = set(text_terms)
    wanted = set(question.topic_terms)
    found = frozenset(
        term
        for term in wanted
        if term in present or any(all(t in present for t in phrase) for phrase in question.alternatives.get(term, ()))
    )
    return Match(found, _weighted_share(question, found, idf))


def _weighted_share(question: Question, found: Collection[str], idf: Callable[[str], float]) -> float:
    total = reduce(add, (idf(term) for term in sorted(set(question.topic_terms))), 0.0)
    return reduce(add, (idf(term) for term in sorted(set(found))), 0.0) / total if total else 0.0


def _sentence_matches(text: str, question: Question, idf: Callable[[str], float]) -> list[tuple[int, int, Match]]:
    asked = set(question.terms)
    scored = []
    for a, b, found in _sentences_with_terms(text):
        result = _match(question, found, idf)
        if question.wants_number and any(term[0].isdigit() and term not in asked for term in found):
            result = Match(result.found, result.share + NUMBER_BONUS)
        scored.append((a, b, result))
    return scored


@lru_cache(maxsize=20_000)
def _sentences_with_terms(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    spans = sentence_spans(text) or [(0, len(text))]
    return tuple((a, b, frozenset(terms(text[a:b]))) for a, b in spans)


def _best_sentence_share(text: str, question: Question, idf: Callable[[str], float]) -> float:
    return max(found.share for _, _, found in _sentence_matches(text, question, idf))


def _choose_quote(text: str, question: Question, idf: Callable[[str], float]) -> str:
    sentences = _sentence_matches(text, question, idf)
    spans = [(a, b) for a, b, _ in sentences]
    found = [m for _, _, m in sentences]
    best = max(range(len(spans)), key=lambda i: (found[i].share, -i))
    first = last = best
    covered = set(found[best].found)
    for neighbour in (best + 1, best - 1):
        if last - first + 1 >= MAX_QUOTE_SENTENCES or not 0 <= neighbour < len(spans):
            continue
        gain = _weighted_share(question, found[neighbour].found - covered, idf)
        if gain >= MIN_NEIGHBOUR_GAIN:
            covered |= found[neighbour].found
            first, last = min(first, neighbour), max(last, neighbour)
    return text[spans[first][0]:spans[last][1]]


def _decline(question: Question, hits: tuple[Hit, ...], reason: str) -> Answer:
    return Answer(question=question.text, answered=False, quote=None, hits=hits, decline_reason=reason)
