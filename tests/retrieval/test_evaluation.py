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
    load_reworded_squad,
    load_squad,
)
from quotebot.retrieval.ingest.loader import CorpusError
from quotebot.retrieval.ingest.models import Document
from tests.conftest import SQUAD, SQUAD2

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


def test_a_reworded_set_asks_only_its_questions_in_its_wording_or_in_squads(tmp_path: Path) -> None:
    def article(title: str, context: str, qas: list[tuple[str, str, str]]) -> dict:
        return {"title": title, "paragraphs": [{"context": context, "qas": [
            {"id": key, "question": question, "answers": [{"text": answer, "answer_start": context.index(answer)}]}
            for key, question, answer in qas
        ]}]}

    data = {"data": [
        article("Owls", "Owls hunt at night. Owls eat mice.",
                [("o1", "When do owls hunt?", "at night"), ("o2", "What do owls eat?", "mice")]),
        article("Bees", "Bees make honey.", [("b1", "What do bees make?", "honey")]),
        article("Ants", "Ants dig tunnels.", [("a1", "What do ants dig?", "tunnels")]),
    ]}
    squad = tmp_path / "squad.json.gz"
    with gzip.open(squad, "wt", encoding="utf-8") as handle:
        json.dump(data, handle)
    reworded = tmp_path / "reworded.jsonl"
    reworded.write_text(
        '{"id": "o2", "question": "wat do they eat", "answers": ["mice"]}\n'
        '{"id": "a1", "question": "what r ants digging", "answers": ["tunnels"]}\n'
        '{"id": "elsewhere", "question": "in another file", "answers": ["x"]}\n',
        encoding="utf-8",
    )
    owls, ants = load_reworded_squad(squad, reworded)
    assert [(q.question, q.answers) for q in owls.questions] == [("wat do they eat", ("mice",)), ("what r ants digging", ())]
    assert [q.question for q in ants.questions] == ["what r ants digging", "wat do they eat"]
    original = load_reworded_squad(squad, reworded, off_topic=False, original_wording=True)
    assert [[q.question for q in corpus.questions] for corpus in original] == [["What do owls eat?"], ["What do ants dig?"]]


def test_a_question_file_marks_on_topic_questions_the_corpus_cannot_answer(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "who designed it", "answers": [], "unanswerable": true}\n', encoding="utf-8")
    (item,) = load_question_file(path)
    assert item.unanswerable and item.answers == ()


DATA = Path(__file__).resolve().parents[1] / "data"
MEMBER_SETS = (
    ("article_member_questions.jsonl", Path(__file__).resolve().parents[2] / "corpus"),
    *((f"member_docs/{name}_questions.jsonl", DATA / "member_docs" / name) for name in ("tidewater", "syncbox", "hollow_oak")),
)


@pytest.mark.parametrize(("questions", "folder"), MEMBER_SETS)
def test_every_answer_of_a_member_set_is_in_its_documents_verbatim(questions: str, folder: Path) -> None:
    from quotebot.retrieval.ingest.loader import load_folder

    bodies = [document.body for document in load_folder(folder).documents]
    items = load_question_file(DATA / questions)
    missing = [(item.question, answer) for item in items for answer in item.answers if not any(answer in b for b in bodies)]
    assert not missing
    assert {"answerable", "off-topic", "unanswerable"} <= {
        "unanswerable" if item.unanswerable else "answerable" if item.answers else "off-topic" for item in items
    }


def test_the_reworded_squad_set_spans_every_article_both_versions_and_unanswerable_questions() -> None:
    records = [json.loads(line) for line in (DATA / "squad_member_questions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 600 and len({r["id"] for r in records}) == len(records)
    assert len({r["article"] for r in records}) == 16
    assert {r["dataset"] for r in records} == {"v1.1", "2.0"}
    assert sum(r["unanswerable"] for r in records) >= 80
    assert all(r["question"] != r["squad_question"] for r in records)
    for path, dataset in ((SQUAD, "v1.1"), (SQUAD2, "2.0")):
        asked = {q.key: q for corpus in load_squad(path, off_topic=False) for q in corpus.questions}
        for record in (r for r in records if r["dataset"] == dataset):
            original = asked[record["id"]]
            assert (original.question.strip(), original.unanswerable) == (record["squad_question"], record["unanswerable"])
            assert set(record["answers"]) == set(original.answers)
