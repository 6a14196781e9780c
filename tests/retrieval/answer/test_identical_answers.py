"""Sentences analysed at index time give exactly the evidence of analysing them at question time.

Every question of the public SQuAD evaluation (each article a corpus, the
next article's questions its off-topic ones) and of the article's own set is
ranked by the engine, and every candidate's per-sentence evidence (read from
the index's sentence table with array operations) must equal what
``string_reference`` computes from the passage's text: the spans, the share
of the question, the share of its word pairs, the new numbers offered and
the question's numbers repeated, the question's terms each sentence holds; and so must the question's terms the whole
passage holds (read from its sentences' terms, its heading and its title,
not from the postings), which the decline and confidence models weigh.
Those are everything answering reads of the precomputed sentences: with
them equal, the answers are the ones the text itself gives.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from quotebot.retrieval.answer.answer_type import AnswerType
from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.answer.questions import analyze
from quotebot.retrieval.evaluation import EvalCorpus, load_question_file, load_squad
from quotebot.retrieval.index.tokens import terms
from quotebot.retrieval.ingest.loader import load_folder
from quotebot.retrieval.ingest.sentences import sentence_spans
from tests.conftest import REPO_ROOT, SHIPPED_CORPUS, SQUAD
from tests.retrieval.answer import string_reference

ARTICLE_QUESTIONS = REPO_ROOT / "tests" / "data" / "article_questions.jsonl"


def assert_identical_evidence(corpus: EvalCorpus) -> int:
    engine = QuoteEngine.build(corpus.documents)
    idf = engine.corpus.bm25.idf
    for item in corpus.questions:
        question = analyze(item.question)
        candidates, terms_matched, _ = engine._candidates(question)
        for candidate in candidates:
            evidence = candidate.evidence
            passage = engine.passages[candidate.position]
            expected = string_reference.sentence_figures(passage.text, question, idf)
            actual = zip(
                evidence.spans, evidence.lexical.tolist(), evidence.bigrams.tolist(), evidence.repeats_question_number.tolist()
            )
            assert list(actual) == [(span, share, pairs, repeats) for span, share, pairs, _, repeats in expected], (
                item.question
            )
            if question.answer_type is AnswerType.NUMBER:
                assert evidence.offers_answer.tolist() == [number for _, _, _, number, _ in expected], item.question
            assert terms_matched is not None
            held = [frozenset(t for t, hit in zip(terms_matched.wanted, row) if hit) for row in evidence.terms_found.tolist()]
            assert held == string_reference.sentence_found(passage.text, question), item.question
            found = engine._evidence(question, terms_matched, candidate, passage).found
            assert found == string_reference.passage_found(passage, question), item.question
    return len(corpus.questions)


def test_the_article_questions_get_identical_evidence() -> None:
    corpus = EvalCorpus("article", load_folder(SHIPPED_CORPUS).documents, load_question_file(ARTICLE_QUESTIONS))
    assert assert_identical_evidence(corpus) == 90


def test_every_squad_question_gets_identical_evidence() -> None:
    asked = sum(assert_identical_evidence(corpus) for corpus in load_squad(SQUAD))
    assert asked == 2 * 3055


_PIECES = [
    "Mr.", "U.S.", "74.2", "R.", "word", "Word", ".", "!", "?", "”", "“", '"', "'", ")", "(", " ", " ", "\n",
    "\n\n", "é", "😀", "e\u0301", "\u0301", "ﬁ", "½", "x.", "2.", "...", "-", "--", ",", "’s", "\u00a0", "1,047",
    "A.B.", "Jong-un", "`", "ｆｕｌｌ", "\uff0e", "St.", "no.",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join) | st.text(max_size=120))
def test_a_passages_terms_are_its_sentences_terms_in_order(text: str) -> None:
    """What lets the index analyse each sentence once and take a passage's terms from them."""
    spans = sentence_spans(text) or [(0, len(text))]
    assert [term for a, b in spans for term in terms(text[a:b])] == terms(text)
