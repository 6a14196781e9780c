"""Regression floors for retrieval quality, a few points under what the README reports.

These are not the targets (the README's table and ``quotebot eval`` are); they
catch a change that quietly makes answers worse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quotebot.retrieval.evaluation import EvalCorpus, evaluate, load_question_file, load_squad
from quotebot.retrieval.ingest.loader import load_folder
from tests.conftest import REPO_ROOT, SHIPPED_CORPUS

ARTICLE_QUESTIONS = REPO_ROOT / "tests" / "data" / "article_questions.jsonl"
SQUAD = REPO_ROOT.parent / "shared" / "data" / "squad" / "squad-v1.1-dev-public.json.gz"


def test_article_question_set_floors() -> None:
    corpus = EvalCorpus("article", load_folder(SHIPPED_CORPUS).documents, load_question_file(ARTICLE_QUESTIONS))
    report = evaluate([corpus])
    ours, plain = report.quotebot.figures(), report.plain_bm25.figures()
    assert report.quotebot.answerable >= 40 and report.quotebot.off_topic >= 10
    assert ours["hit@1"] >= 0.68
    assert ours["hit@3"] >= 0.80
    assert ours["quote@1"] >= 0.56
    assert ours["off-topic declined"] >= 0.65
    assert ours["answerable declined"] <= 0.08
    # Better than plain BM25 over the same text, measured in the same run.
    assert ours["hit@1"] > plain["hit@1"] + 0.1


def test_squad_floors() -> None:
    if not SQUAD.exists():
        pytest.skip(f"SQuAD sample not found at {SQUAD} (it lives in ../shared beside the repository)")
    report = evaluate(load_squad(Path(SQUAD)))
    ours, plain = report.quotebot.figures(), report.plain_bm25.figures()
    assert report.quotebot.answerable == 3055
    assert ours["hit@1"] >= 0.85
    assert ours["hit@3"] >= 0.94
    assert ours["quote@1"] >= 0.75
    assert ours["off-topic declined"] >= 0.92
    assert ours["answerable declined"] <= 0.05
    assert ours["hit@1"] > plain["hit@1"]
    assert ours["quote@1"] > plain["quote@1"]
