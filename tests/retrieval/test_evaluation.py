"""The measuring stick itself: what counts as a hit, a quote and a decline."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from quotebot.retrieval.evaluation import (
    EvalCorpus,
    EvalQuestion,
    evaluate,
    format_report,
    load_question_file,
    load_squad,
)
from quotebot.retrieval.ingest.loader import CorpusError
from quotebot.retrieval.ingest.models import Document

BODY = (
    "The lighthouse on Gull Point was built in 1874 from granite quarried on the island.\n\n"
    "Its lamp was electrified in 1931, and the last keeper left in 1968.\n\n"
    "Puffins nest on the cliffs below the tower every summer."
)


def test_counts_hits_quotes_and_declines() -> None:
    corpus = EvalCorpus(
        "gull",
        (Document(id="gull.md", title="Gull Point", body=BODY),),
        (
            EvalQuestion("When was the lighthouse on Gull Point built?", ("1874",)),
            EvalQuestion("When did the last keeper leave the lighthouse?", ("1968",)),
            EvalQuestion("Who won the 1998 football World Cup final?", ()),
        ),
    )
    report = evaluate([corpus])
    figures = report.quotebot.figures()
    assert (report.quotebot.answerable, report.quotebot.off_topic) == (2, 1)
    assert figures["hit@1"] == 1.0 and figures["quote@1"] == 1.0
    assert figures["off-topic declined"] == 1.0 and figures["answerable declined"] == 0.0
    # Plain BM25 never declines: that is what it is compared against.
    assert report.plain_bm25.figures()["off-topic declined"] == 0.0
    table = format_report(report, "gull")
    assert "quotebot" in table and "plain BM25Okapi" in table and "hit@1" in table


def test_question_file_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "ok?", "answers": ["x"]}\n{"question": "bad", "answers": "abc"}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"q\.jsonl:2"):
        load_question_file(path)


def test_squad_articles_become_one_document_corpora_with_the_next_articles_questions_off_topic(tmp_path: Path) -> None:
    def article(title: str, context: str, question: str, answer: str) -> dict:
        qa = {"id": title, "question": question, "answers": [{"text": answer, "answer_start": context.index(answer)}]}
        return {"title": title, "paragraphs": [{"context": context, "qas": [qa]}]}

    data = {"data": [article("Owls", "Owls hunt at night.", "When do owls hunt?", "at night"),
                     article("Bees", "Bees make honey.", "What do bees make?", "honey")]}
    path = tmp_path / "squad.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(data, handle)
    owls, bees = load_squad(path)
    assert owls.documents[0].body == "Owls hunt at night." and owls.documents[0].title == "Owls"
    assert [q.question for q in owls.questions] == ["When do owls hunt?", "What do bees make?"]
    assert [q.answers for q in owls.questions] == [("at night",), ()]
    assert bees.questions[1].question == "When do owls hunt?"
