"""Regression floors for answer quality, a few points under what the README reports, for both paths.

These are not the targets (the README's table and ``quotebot eval`` are); they
catch a change that quietly makes answers worse. The semantic path (the
default install) is held on the article's sets and on a subset of SQuAD small
enough to embed in seconds; the lexical path on the full SQuAD set.
"""

from __future__ import annotations

from quotebot.retrieval.evaluation import EvalCorpus, evaluate, load_question_file, load_squad
from quotebot.retrieval.index.onnx_embedder import load_embedder
from quotebot.retrieval.ingest.loader import load_folder
from tests.conftest import REPO_ROOT, SHIPPED_CORPUS, SQUAD, SQUAD2

DATA = REPO_ROOT / "tests" / "data"
# SQuAD articles the semantic floors use (some 60 passages: seconds to embed).
SQUAD_SUBSET = ("Ctenophora", "Prime number")


def _article(name: str) -> list[EvalCorpus]:
    return [EvalCorpus(name, load_folder(SHIPPED_CORPUS).documents, load_question_file(DATA / name))]




def test_article_question_set_floors() -> None:
    report = evaluate(_article("article_questions.jsonl"), load_embedder())
    ours, plain = report.quotebot.figures(), report.plain_bm25.figures()
    assert report.quotebot.answerable == 72 and report.quotebot.off_topic == 18
    assert ours["hit@1"] >= 0.80
    assert ours["hit@3"] >= 0.92
    assert ours["quote@1"] >= 0.72
    assert ours["off-topic declined"] >= 0.72
    assert ours["answerable declined"] <= 0.06
    assert ours["hit@1"] > plain["hit@1"] + 0.3


def test_informal_question_set_floors() -> None:
    """Questions typed the way members type: lower case, typos, "ppl", "nk", "yr" (the issue asks hit@1 >= 0.80)."""
    report = evaluate(_article("informal_questions.jsonl"), load_embedder())
    ours = report.quotebot.figures()
    assert report.quotebot.answerable == 30
    assert ours["hit@1"] >= 0.86
    assert ours["quote@1"] >= 0.73
    assert ours["answerable declined"] <= 0.07


def test_lexical_article_floors() -> None:
    ours = evaluate(_article("article_questions.jsonl")).quotebot.figures()
    assert ours["hit@1"] >= 0.72
    assert ours["quote@1"] >= 0.60
    assert ours["off-topic declined"] >= 0.65
    assert ours["answerable declined"] <= 0.06


def test_semantic_squad_subset_floors() -> None:
    corpora = [corpus for corpus in load_squad(SQUAD) if corpus.name in SQUAD_SUBSET]
    assert len(corpora) == len(SQUAD_SUBSET)
    report = evaluate(corpora, load_embedder())
    ours, plain = report.quotebot.figures(), report.plain_bm25.figures()
    assert ours["hit@1"] >= 0.89
    assert ours["hit@3"] >= 0.96
    assert ours["quote@1"] >= 0.80
    assert ours["off-topic declined"] >= 0.98
    assert ours["answerable declined"] <= 0.03
    assert ours["hit@1"] > plain["hit@1"] + 0.07


def test_semantic_squad2_subset_floors() -> None:
    corpora = [corpus for corpus in load_squad(SQUAD2, off_topic=False) if corpus.name == "Steam engine"]
    report = evaluate(corpora, load_embedder())
    ours = report.quotebot.figures()
    assert report.quotebot.unanswerable > 100
    # Fitted with the member-worded sets, the confidence hedges on fewer right answers (0.093 here) and lets
    # more of these unanswerable questions through (0.406 not confident; docs/quality.md has the trade-off).
    assert ours["unanswerable not confident"] >= 0.38
    assert ours["answerable declined"] <= 0.07
    assert ours["answerable unsure"] <= 0.13


def test_lexical_squad_floors() -> None:
    report = evaluate(load_squad(SQUAD))
    ours, plain = report.quotebot.figures(), report.plain_bm25.figures()
    assert report.quotebot.answerable == 3055
    assert ours["hit@1"] >= 0.85
    assert ours["hit@3"] >= 0.94
    assert ours["quote@1"] >= 0.75
    assert ours["off-topic declined"] >= 0.88
    assert ours["answerable declined"] <= 0.04
    assert ours["hit@1"] > plain["hit@1"]
    assert ours["quote@1"] > plain["quote@1"]


def test_member_worded_document_floors() -> None:
    """The three member-worded documents together (a game's rules, a program's guide, a code of conduct):
    docs/quality.md reports hit@1 0.885, quote@1 0.699 (in-sample for the confidence models)."""
    folder = DATA / "member_docs"
    corpora = [
        EvalCorpus(name, load_folder(folder / name).documents, load_question_file(folder / f"{name}_questions.jsonl"))
        for name in ("tidewater", "syncbox", "hollow_oak")
    ]
    report = evaluate(corpora, load_embedder())
    ours, plain = report.quotebot.figures(), report.plain_bm25.figures()
    assert (report.quotebot.answerable, report.quotebot.off_topic, report.quotebot.unanswerable) == (156, 15, 20)
    assert ours["hit@1"] >= 0.85
    assert ours["quote@1"] >= 0.66
    assert ours["off-topic declined"] >= 0.95
    assert ours["answerable declined"] <= 0.17
    assert ours["answerable unsure"] <= 0.20
    assert ours["unanswerable not confident"] >= 0.75
    assert ours["quote@1"] > plain["quote@1"] + 0.3


def test_article_member_set_floors() -> None:
    report = evaluate(_article("article_member_questions.jsonl"), load_embedder())
    ours = report.quotebot.figures()
    assert report.quotebot.answerable == 40
    assert ours["hit@1"] >= 0.77
    assert ours["quote@1"] >= 0.67
    assert ours["answerable declined"] <= 0.08
    assert ours["off-topic declined"] == 1.0
