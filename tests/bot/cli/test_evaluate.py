"""``quotebot eval``: the side-by-side table of quotebot and plain BM25Okapi."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from quotebot.bot import cli
from tests.conftest import CorpusWriter

METRICS = [
    "hit@1",
    "hit@3",
    "quote@1",
    "off-topic declined",
    "answerable declined",
    "answerable unsure",
    "unanswerable not confident",
]


def write_questions(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + "\n", encoding="utf-8")
    return path


def write_squad(path: Path, squad: dict[str, object]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(squad, handle)
    return path


def table(output: str) -> dict[str, dict[str, str]]:
    """Row label -> metric -> printed cell, read from the fixed-width table."""
    lines = output.splitlines()
    header = next(line for line in lines if "hit@1" in line)
    # Only the columns of the kinds of question asked are printed, in this order.
    shown = [name for name in METRICS if name in header]
    assert shown[:3] == METRICS[:3] and "answerable declined" in shown
    rows: dict[str, dict[str, str]] = {}
    for label in ("quotebot", "plain BM25Okapi"):
        [line] = [line for line in lines if line.startswith(label + " ")]
        cells = line[len(label) :].split()
        assert len(cells) == len(shown), line
        rows[label] = dict(zip(shown, cells))
    return rows


def test_eval_prints_both_rows_on_a_tiny_question_file(
    small_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = write_questions(
        tmp_path / "tiny.jsonl",
        [
            {"question": "When do zebrafish spawn?", "answers": ["spawn at dawn"]},
            {"question": "What is the capital of Peru?", "answers": []},
        ],
    )
    assert cli.main(["eval", "--corpus", str(small_corpus), str(questions)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"tiny.jsonl on {small_corpus}: 1 corpora, 1 answerable, 1 off-topic questions"
    rows = table(out)
    for label in rows:
        assert all(re.fullmatch(r"\d\.\d{3}|-", cell) for cell in rows[label].values()), rows[label]
    # One question the corpus plainly answers, one it cannot: both systems find the answer,
    # only quotebot declines the off-topic question (plain BM25 never declines).
    assert rows["quotebot"]["hit@1"] == rows["quotebot"]["hit@3"] == "1.000"
    assert rows["plain BM25Okapi"]["hit@1"] == rows["plain BM25Okapi"]["hit@3"] == "1.000"
    assert rows["quotebot"]["off-topic declined"] == "1.000"
    assert rows["plain BM25Okapi"]["off-topic declined"] == "0.000"
    assert rows["plain BM25Okapi"]["answerable declined"] == "0.000"


def test_eval_without_off_topic_questions_has_no_off_topic_column(
    small_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = write_questions(
        tmp_path / "q.jsonl", [{"question": "When do zebrafish spawn?", "answers": ["spawn at dawn"]}]
    )
    assert cli.main(["eval", "--corpus", str(small_corpus), str(questions)]) == 0
    rows = table(capsys.readouterr().out)
    assert "off-topic declined" not in rows["quotebot"] and "unanswerable not confident" not in rows["quotebot"]
    assert rows["quotebot"]["hit@1"] == "1.000"


def test_eval_squad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two SQuAD articles: each is a corpus of one document, the other's questions its off-topic ones."""
    squad = {
        "data": [
            {
                "title": "Zebrafish",
                "paragraphs": [
                    {
                        "context": "Zebrafish spawn at dawn. They lay around 200 eggs.",
                        "qas": [{"question": "When do zebrafish spawn?", "answers": [{"text": "dawn"}]}],
                    }
                ],
            },
            {
                "title": "Lighthouse_keeping",
                "paragraphs": [
                    {
                        "context": "The lighthouse keeper trims the wick every evening.",
                        "qas": [{"question": "What does the keeper trim?", "answers": [{"text": "the wick"}]}],
                    }
                ],
            },
        ]
    }
    path = write_squad(tmp_path / "tiny-squad.json.gz", squad)
    assert cli.main(["eval", "--squad", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "SQuAD (tiny-squad.json.gz): 2 corpora, 2 answerable, 2 off-topic questions"
    rows = table(out)
    assert rows["quotebot"]["hit@1"] == rows["plain BM25Okapi"]["hit@1"] == "1.000"


def test_eval_squad2_counts_unanswerable_questions_not_off_topic_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    squad = {
        "data": [
            {
                "title": "Zebrafish",
                "paragraphs": [
                    {
                        "context": "Zebrafish spawn at dawn. They lay around 200 eggs each morning.",
                        "qas": [
                            {"question": "When do zebrafish spawn?", "answers": [{"text": "dawn"}], "is_impossible": False},
                            {"question": "When do zebrafish sleep?", "answers": [], "is_impossible": True},
                        ],
                    }
                ],
            }
        ]
    }
    path = write_squad(tmp_path / "tiny-squad2.json.gz", squad)
    assert cli.main(["eval", "--squad2", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "SQuAD (tiny-squad2.json.gz): 1 corpora, 1 answerable, 1 unanswerable questions"
    rows = table(out)
    assert "off-topic declined" not in rows["quotebot"]
    assert rows["plain BM25Okapi"]["unanswerable not confident"] == "0.000"
    assert rows["quotebot"]["hit@1"] == "1.000"


def test_missing_question_file_is_one_line_and_exit_2(
    small_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["eval", "--corpus", str(small_corpus), str(tmp_path / "none.jsonl")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"quotebot: file not found: {tmp_path / 'none.jsonl'}\n"


def test_bad_question_line_is_named_by_number(
    small_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "ok?", "answers": []}\n\nnot json\n', encoding="utf-8")
    assert cli.main(["eval", "--corpus", str(small_corpus), str(path)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"quotebot: {path}:3: not a question record")


def test_eval_needs_questions_or_squad(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["eval"])
    assert exited.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_bad_corpus_file_is_named_and_the_rest_evaluated(
    write_corpus: CorpusWriter, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_corpus({"fish.md": "Zebrafish spawn at dawn.", "bad.md": b"\x00binary"})
    questions = write_questions(tmp_path / "q.jsonl", [{"question": "When do zebrafish spawn?", "answers": ["dawn"]}])
    assert cli.main(["eval", "--corpus", str(folder), str(questions)]) == 0
    captured = capsys.readouterr()
    assert captured.err == f"quotebot: skipped {folder / 'bad.md'}: binary file, not text\n"
    assert table(captured.out)["quotebot"]["hit@1"] == "1.000"


def test_eval_reworded_squad_questions_in_members_words_and_in_squads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    squad = write_squad(tmp_path / "tiny-squad.json.gz", {"data": [
        {"title": "Zebrafish", "paragraphs": [{"context": "Zebrafish spawn at dawn. They lay around 200 eggs.", "qas": [
            {"id": "z1", "question": "When do zebrafish spawn?", "answers": [{"text": "dawn"}]},
            {"id": "z2", "question": "How many eggs do zebrafish lay?", "answers": [{"text": "200"}]},
        ]}]},
        {"title": "Lighthouse_keeping", "paragraphs": [{"context": "The keeper trims the wick every evening.", "qas": [
            {"id": "l1", "question": "What does the keeper trim?", "answers": [{"text": "the wick"}]},
        ]}]},
    ]})
    reworded = write_questions(tmp_path / "members.jsonl", [
        {"id": "z2", "question": "how many eggs do they lay", "answers": ["200"]},
        {"id": "l1", "question": "wat does the keeper cut", "answers": ["the wick"]},
    ])
    assert cli.main(["eval", "--lexical", "--squad", str(squad), "--reworded", str(reworded)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "SQuAD (tiny-squad.json.gz), the questions of members.jsonl in members.jsonl: "
        "2 corpora, 2 answerable, 2 off-topic questions"
    )
    assert cli.main(["eval", "--lexical", "--squad", str(squad), "--reworded", str(reworded), "--original-wording"]) == 0
    assert "in SQuAD's wording: 2 corpora, 2 answerable" in capsys.readouterr().out
    assert cli.main(["eval", "--lexical", str(reworded), "--reworded", str(reworded)]) == 2
    assert "--reworded needs --squad or --squad2" in capsys.readouterr().err


def test_eval_keeps_passage_vectors_where_asked(
    small_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = write_questions(tmp_path / "q.jsonl", [{"question": "When do zebrafish spawn?", "answers": ["spawn at dawn"]}])
    vectors = tmp_path / "vectors"
    for _ in range(2):  # the second run reads the vectors the first one kept
        assert cli.main(["eval", "--vectors", str(vectors), "--corpus", str(small_corpus), str(questions)]) == 0
        assert table(capsys.readouterr().out)["quotebot"]["hit@1"] == "1.000"
    assert list(vectors.rglob("part-*.npz"))
