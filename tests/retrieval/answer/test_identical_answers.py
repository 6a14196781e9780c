"""Sentences analysed at index time give exactly the answers of analysing them at question time.

Every question of the public SQuAD evaluation (each article a corpus, the
next article's questions its off-topic ones) and of the article's own set is
asked of the engine and of ``string_reference`` (the answer path that split
and analysed candidate passages for each question): the ranked passages and
their scores, the decision, the quote, its highlights and the matched terms
must all be equal.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.evaluation import EvalCorpus, load_question_file, load_squad
from quotebot.retrieval.index.tokens import terms
from quotebot.retrieval.ingest.loader import load_folder
from quotebot.retrieval.ingest.models import Answer
from quotebot.retrieval.ingest.sentences import sentence_spans
from tests.conftest import REPO_ROOT, SHIPPED_CORPUS
from tests.retrieval.answer import string_reference

SQUAD = REPO_ROOT.parent / "shared" / "data" / "squad" / "squad-v1.1-dev-public.json.gz"
ARTICLE_QUESTIONS = REPO_ROOT / "tests" / "data" / "article_questions.jsonl"
TOP_K = 3


def everything(answer: Answer) -> tuple[object, ...]:
    return (
        answer.to_json(),
        answer.decline_reason,
        answer.matched_terms,
        answer.highlights,
        answer.source,
        answer.section,
    )


def assert_identical_answers(corpus: EvalCorpus) -> int:
    engine = QuoteEngine.build(corpus.documents)
    for item in corpus.questions:
        expected = string_reference.ask(engine, item.question, TOP_K)
        assert everything(engine.ask(item.question, TOP_K)) == everything(expected), item.question
    return len(corpus.questions)


def test_the_article_questions_get_identical_answers() -> None:
    corpus = EvalCorpus("article", load_folder(SHIPPED_CORPUS).documents, load_question_file(ARTICLE_QUESTIONS))
    assert assert_identical_answers(corpus) == 90


def test_every_squad_question_gets_an_identical_answer() -> None:
    if not SQUAD.exists():
        pytest.skip(f"SQuAD sample not found at {SQUAD} (it lives in ../shared beside the repository)")
    asked = sum(assert_identical_answers(corpus) for corpus in load_squad(Path(SQUAD)))
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
