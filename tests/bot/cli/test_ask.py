"""``quotebot ask``: the ``--json`` contract of issue 2, batch mode, corpus selection and bad input.

Behaviour that must not depend on ranking tweaks is checked on a small corpus
written by the test; the shipped corpus is used only for stable facts (its author).
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from quotebot.bot import cli
from quotebot.bot.cli import ask
from quotebot.retrieval import TextEmbedder
from quotebot.retrieval.ingest import shipped
from quotebot.retrieval.live import LiveEngine, ReloadReport
from tests.bot.cli.conftest import HARBOUR_THINGS, UNUSABLE_CORPUS_KINDS, json_lines, unusable_corpus
from tests.conftest import REPO_ROOT, SHIPPED_ARTICLE, CorpusWriter

# The contract, exactly: no key missing, no key extra, these types.
DOCUMENT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "title", "author", "publication", "url"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "author": {"type": ["string", "null"]},
        "publication": {"type": ["string", "null"]},
        "url": {"type": ["string", "null"]},
    },
}
ANSWER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["question", "answered", "outcome", "confidence", "ranking", "quote", "results"],
    "properties": {
        "question": {"type": "string"},
        "answered": {"type": "boolean"},
        "outcome": {"enum": ["answered", "unsure", "declined"]},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "ranking": {"enum": ["semantic", "lexical"]},
        "quote": {"type": ["string", "null"]},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["rank", "score", "passage_id", "text", "section", "document"],
                "properties": {
                    "rank": {"type": "integer"},
                    "score": {"type": "number"},
                    "passage_id": {"type": "string"},
                    "text": {"type": "string"},
                    "section": {"type": ["string", "null"]},
                    "document": DOCUMENT_SCHEMA,
                },
            },
        },
    },
}

SPAWN = "When do zebrafish spawn?"
SPAWN_QUOTE = "Zebrafish spawn at dawn, laying around 200 eggs each morning."


def check_contract(answer: dict[str, Any], top_k: int = 3) -> None:
    """Everything issue 2 promises about one ``--json`` object."""
    jsonschema.validate(answer, ANSWER_SCHEMA)
    # quote is null exactly when the question is not answered; answered is true for a confident or unsure quote.
    assert (answer["quote"] is None) == (not answer["answered"])
    assert answer["answered"] == (answer["outcome"] != "declined")
    if answer["answered"]:
        assert answer["quote"].strip()
    results = answer["results"]
    assert len(results) <= top_k
    assert [r["rank"] for r in results] == list(range(1, len(results) + 1))
    # BM25's score: 0 only for a passage found by meaning alone (it shares no word with the question).
    assert all(isinstance(r["score"], float) and r["score"] >= 0 for r in results)
    assert len({r["passage_id"] for r in results}) == len(results)
    for r in results:
        assert r["passage_id"].startswith(r["document"]["id"] + "#")
        assert r["text"].strip()


def ask_json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, Any]]:
    assert cli.main(["ask", "--json", *argv]) == 0
    captured = capsys.readouterr()
    answers = json_lines(captured.out)
    return answers


def feed_stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


# --- the JSON contract ---------------------------------------------------------------------------


def test_answered_question_json(small_corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [answer] = ask_json(capsys, "--corpus", str(small_corpus), SPAWN)
    check_contract(answer)
    assert answer["question"] == SPAWN
    assert answer["answered"] is True
    assert SPAWN_QUOTE in answer["quote"]
    best = answer["results"][0]
    assert best["passage_id"] == "zebrafish.md#2"
    assert best["section"] == "Breeding"
    assert SPAWN_QUOTE in best["text"]
    # The quote is verbatim text of the best passage.
    assert answer["quote"] in best["text"]
    assert best["document"] == {
        "id": "zebrafish.md",
        "title": "Zebrafish Notes",
        "author": "Ada Lovelace",
        "publication": "Fish Weekly",
        "url": "https://example.org/zebrafish",
    }


def test_document_without_metadata_has_nulls(small_corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [answer] = ask_json(capsys, "--corpus", str(small_corpus), "--top-k", "25", "harbour")
    check_contract(answer, top_k=25)
    documents = {r["document"]["id"]: r["document"] for r in answer["results"]}
    assert documents["crane.md"] == {
        "id": "crane.md",
        "title": "The Crane",
        "author": None,
        "publication": None,
        "url": None,
    }
    assert all(r["section"] is None for r in answer["results"])


@pytest.mark.parametrize(
    ("argv", "expected"), [((), 3), (("--top-k", "1"), 1), (("--top-k", "5"), 5), (("--top-k", "25"), 6)]
)
def test_top_k_sets_how_many_results(
    small_corpus: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: int
) -> None:
    """Six passages mention the harbour: K of them come back, or all six when K is larger."""
    [answer] = ask_json(capsys, "--corpus", str(small_corpus), *argv, "Which sights stand in the harbour?")
    top_k = int(argv[1]) if argv else 3
    check_contract(answer, top_k=top_k)
    assert len(answer["results"]) == expected
    assert {r["document"]["id"] for r in answer["results"]} <= {f"{thing}.md" for thing in HARBOUR_THINGS}


@pytest.mark.parametrize("bad", ["0", "26", "-1", "three"])
def test_top_k_out_of_range_is_a_usage_error(
    small_corpus: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["ask", "--corpus", str(small_corpus), "--json", "--top-k", bad, "harbour"])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--top-k" in captured.err and "Traceback" not in captured.err


def test_results_are_kept_when_the_question_is_declined(
    small_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Several ways to be declined while passages still match; the ranked passages must still be listed.

    Which of these the engine declines is tuning; that declined answers keep their
    results is the contract, so at least one must be declined with results.
    """
    questions = [
        "Please explain this article",  # only framing words: nothing to answer with
        "harbour quasar nebula pulsar magnetar telescope",  # one word of six matches
        "Tell me about the article",
    ]
    answers = [ask_json(capsys, "--corpus", str(small_corpus), "--top-k", "4", q)[0] for q in questions]
    for answer in answers:
        check_contract(answer, top_k=4)
    declined_with_results = [a for a in answers if not a["answered"] and a["results"]]
    assert declined_with_results, answers
    for answer in declined_with_results:
        assert answer["quote"] is None
        assert len(answer["results"]) == 4


def test_question_matching_nothing_is_declined_with_no_results(
    small_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [answer] = ask_json(capsys, "--corpus", str(small_corpus), "What is the capital of Peru?")
    check_contract(answer)
    assert answer == {
        "question": "What is the capital of Peru?",
        "answered": False,
        "outcome": "declined",
        "confidence": 0.0,
        "ranking": "lexical",
        "quote": None,
        "results": [],
    }


def test_question_words_are_joined(small_corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [answer] = ask_json(capsys, "--corpus", str(small_corpus), "When", "do", "zebrafish", "spawn?")
    assert answer["question"] == SPAWN
    assert answer["answered"] is True


def test_metadata_question_on_the_shipped_corpus(shipped_corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [answer] = ask_json(capsys, "--corpus", str(shipped_corpus_copy), "Who wrote this article?")
    check_contract(answer)
    assert answer["answered"] is True
    assert "Robert R. King" in answer["quote"]


def test_json_is_utf8_not_escaped(small_corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ask", "--json", "--corpus", str(small_corpus), "Когда нерестятся 脱北者?"]) == 0
    out = capsys.readouterr().out
    assert '"question": "Когда нерестятся 脱北者?"' in out


# --- batch mode ----------------------------------------------------------------------------------


class CountingLiveEngine(LiveEngine):
    """A ``LiveEngine`` that counts how many engines are made and how often one is loaded."""

    instances = 0
    loads = 0

    def __init__(self, folder: Path, embedder: TextEmbedder | None = None, **options: bool) -> None:
        CountingLiveEngine.instances += 1
        super().__init__(folder, embedder, **options)

    def load(self) -> ReloadReport:
        CountingLiveEngine.loads += 1
        return super().load()


def test_stdin_batch_one_line_per_question_and_one_load(
    small_corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CountingLiveEngine, "instances", 0)
    monkeypatch.setattr(CountingLiveEngine, "loads", 0)
    monkeypatch.setattr(ask, "LiveEngine", CountingLiveEngine)
    feed_stdin(monkeypatch, f"{SPAWN}\n\nWhat is the capital of Peru?\n   \nWhich sights stand in the harbour?")
    answers = ask_json(capsys, "--corpus", str(small_corpus))
    assert (CountingLiveEngine.instances, CountingLiveEngine.loads) == (1, 1)
    # Blank and white-space-only lines are skipped; the last line needs no newline.
    questions = [a["question"] for a in answers]
    assert questions == [SPAWN, "What is the capital of Peru?", "Which sights stand in the harbour?"]
    for answer in answers:
        check_contract(answer)
    assert [a["answered"] for a in answers[:2]] == [True, False]


def test_empty_stdin_prints_nothing(
    small_corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, "")
    assert cli.main(["ask", "--json", "--corpus", str(small_corpus)]) == 0
    assert capsys.readouterr().out == ""


BAD_QUESTIONS = {
    "stopwords": "the of and",
    "long": "When do zebrafish spawn? " + "x" * 10_000,
    "long_words": "zebrafish " * 1_000,
    "emoji": "🐟🐠🎉",
    "emoji_and_words": "🐟 when do zebrafish spawn? 🎉",
    "cyrillic": "Когда нерестятся рыбки-зебры?",
    "chinese": "斑马鱼什么时候产卵？",
    "control": "\x00When\x07 do\x1b[31m zebrafish\x08 spawn?\u202e\u200b\x7f",
    "markdown": "**When** do `zebrafish` *spawn*?",
    "markdown_noise": "> # heading _when_ [link](https://evil.example) ```code``` ||spoiler||",
    "everyone": "@everyone @here <@123456> when do zebrafish spawn?",
    "html": "<script>alert('zebrafish')</script>",
    "only_punctuation": "?!?... --- ,,,",
}


def test_bad_questions_in_a_batch_each_get_an_answer_or_a_decline(
    small_corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, "\n".join(BAD_QUESTIONS.values()) + "\n")
    answers = ask_json(capsys, "--corpus", str(small_corpus))
    assert len(answers) == len(BAD_QUESTIONS), "one answer per question, and the batch finished"
    by_name = dict(zip(BAD_QUESTIONS, answers))
    for answer in answers:
        check_contract(answer)
        assert len(answer["question"]) <= 10_100
    for name in ("stopwords", "emoji", "chinese", "cyrillic", "only_punctuation"):
        assert by_name[name]["answered"] is False, name
        assert by_name[name]["results"] == [], name
    # Noise around a real question does not hide it.
    for name in ("control", "markdown", "emoji_and_words"):
        assert by_name[name]["answered"] is True, name
        assert SPAWN_QUOTE in by_name[name]["quote"], name
    # Control characters do not reach the output.
    assert not any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in by_name["control"]["question"])


@pytest.mark.parametrize("question", ["", "   ", "\t"])
def test_empty_question_argument_is_declined(
    small_corpus: Path, capsys: pytest.CaptureFixture[str], question: str
) -> None:
    [answer] = ask_json(capsys, "--corpus", str(small_corpus), question)
    check_contract(answer)
    assert answer == {
        "question": "", "answered": False, "outcome": "declined", "confidence": 0.0, "ranking": "lexical",
        "quote": None, "results": []
    }


# --- which corpus --------------------------------------------------------------------------------


def test_corpus_defaults_to_the_environment_variable(
    small_corpus: Path, isolated_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUOTEBOT_CORPUS", str(small_corpus))
    [answer] = ask_json(capsys, SPAWN)
    assert answer["answered"] is True
    assert answer["results"][0]["document"]["id"] == "zebrafish.md"


def test_corpus_option_beats_the_environment_variable(
    small_corpus: Path, isolated_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUOTEBOT_CORPUS", str(isolated_env / "missing"))
    [answer] = ask_json(capsys, "--corpus", str(small_corpus), SPAWN)
    assert answer["answered"] is True


def test_corpus_falls_back_to_dot_corpus(
    write_corpus: CorpusWriter, isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_corpus({"fish.md": "Zebrafish spawn at dawn. They lay many eggs."}, name="workdir/corpus")
    [answer] = ask_json(capsys, "zebrafish spawn")
    assert answer["results"][0]["document"]["id"] == "fish.md"


def test_with_no_corpus_named_and_no_local_folder_the_shipped_corpus_answers_and_is_named(
    isolated_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUOTEBOT_CORPUS", "")  # empty is the same as unset
    assert cli.main(["ask", "--json", "How many defectors reached South Korea in 2019?"]) == 0
    captured = capsys.readouterr()
    [answer] = json_lines(captured.out)
    assert answer["results"][0]["document"]["id"] == SHIPPED_ARTICLE
    installed = shipped.SHIPPED_CORPUS  # inside the installed package, wherever that is
    assert captured.err == f"quotebot: answering from the shipped corpus ({installed}); --corpus DIR names another\n"
    assert sorted(path.name for path in installed.iterdir()) == [SHIPPED_ARTICLE], "nothing written beside it"


def test_a_corpus_folder_in_the_working_directory_wins_over_the_shipped_one(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated_env / "corpus").mkdir()
    (isolated_env / "corpus" / "zebra.md").write_text("Zebrafish spawn at dawn in shallow water.")
    assert cli.main(["ask", "--json", "when do zebrafish spawn"]) == 0
    captured = capsys.readouterr()
    [answer] = json_lines(captured.out)
    assert answer["results"][0]["document"]["id"] == "zebra.md"
    assert "answering from corpus;" in captured.err


@pytest.mark.parametrize("folder_kind", UNUSABLE_CORPUS_KINDS)
def test_unusable_corpus_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], folder_kind: str
) -> None:
    folder = unusable_corpus(tmp_path, folder_kind, bad_file=("bad.md", b"\xff\xfe\x00\x00"))
    assert cli.main(["ask", "--json", "--corpus", str(folder), "question"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    error_lines = [line for line in captured.err.splitlines() if not line.startswith("quotebot: skipped ")]
    assert len(error_lines) == 1
    assert error_lines[0].startswith("quotebot: ") and str(folder) in error_lines[0]


def test_a_bad_file_is_named_on_stderr_and_the_rest_answers(
    write_corpus: CorpusWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_corpus({"good.md": "Zebrafish spawn at dawn.", "bad.md": b"\x00\x01binary"})
    assert cli.main(["ask", "--json", "--corpus", str(folder), "zebrafish spawn"]) == 0
    captured = capsys.readouterr()
    [answer] = json_lines(captured.out)
    assert answer["answered"] is True
    assert answer["results"][0]["document"]["id"] == "good.md"
    assert captured.err == f"quotebot: skipped {folder / 'bad.md'}: binary file, not text\n"


# --- human output (Markdown, as the Discord bot posts it) ----------------------------------------


def test_human_output_of_an_answer(shipped_corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ask", "--corpus", str(shipped_corpus_copy), "Who wrote this article?"]) == 0
    out = capsys.readouterr().out
    assert "Robert R. King" in out
    assert "Number of North Korean Defectors Declines" in out
    assert len(out.rstrip("\n")) <= 2000
    assert not out.lstrip().startswith("{")


def test_human_output_of_a_decline_suggests_rephrasing(
    small_corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, "What is the capital of Peru?\n@everyone the of and\n")
    assert cli.main(["ask", "--corpus", str(small_corpus)]) == 0
    out = capsys.readouterr().out
    assert out.lower().count("rephras") == 2
    assert "@everyone" not in out
    assert len(out) <= 2 * 2000 + 2


# --- end to end, as another tool runs it ----------------------------------------------------------


def run_quotebot(*argv: str, stdin: bytes = b"", env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "quotebot", *argv], check=False, input=stdin, capture_output=True, env=env, cwd=REPO_ROOT, timeout=60
    )


def test_subprocess_batch_survives_bytes_that_are_not_utf8(
    small_corpus: Path, subprocess_env: Callable[..., dict[str, str]]
) -> None:
    """A strict UTF-8 stdin (as on most desktops) must not end the batch at the first bad byte."""
    stdin = b"When do zebrafish spawn?\n\xff\xfe caf\xe9 zebrafish\nthe of and\n"
    env = subprocess_env(QUOTEBOT_CORPUS=str(small_corpus), PYTHONIOENCODING="utf-8:strict")
    result = run_quotebot("ask", "--json", stdin=stdin, env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    answers = json_lines(result.stdout.decode("utf-8"))
    assert len(answers) == 3
    for answer in answers:
        check_contract(answer)
    assert answers[0]["answered"] is True and SPAWN_QUOTE in answers[0]["quote"]
    assert answers[2]["answered"] is False


def test_subprocess_missing_corpus_is_one_line_and_exit_2(
    tmp_path: Path, subprocess_env: Callable[..., dict[str, str]]
) -> None:
    result = run_quotebot("ask", "--json", "--corpus", str(tmp_path / "nope"), "question", env=subprocess_env())
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.decode().splitlines() == [f"quotebot: corpus folder not found: {tmp_path / 'nope'}"]


# --- the semantic model --------------------------------------------------------------------------


def test_the_semantic_model_is_on_by_default_and_lexical_turns_it_off(
    small_corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QUOTEBOT_SEMANTIC", raising=False)
    monkeypatch.delenv("QUOTEBOT_SEMANTIC_MODEL", raising=False)
    # Shares no word with the corpus but "zebrafish": meaning picks the breeding passage.
    question = "at what time of day do zebrafish lay their eggs"
    [semantic] = ask_json(capsys, "--corpus", str(small_corpus), question)
    [lexical] = ask_json(capsys, "--lexical", "--corpus", str(small_corpus), question)
    monkeypatch.setenv("QUOTEBOT_SEMANTIC", "off")
    [off] = ask_json(capsys, "--corpus", str(small_corpus), question)
    for answer in (semantic, lexical, off):
        check_contract(answer)
    assert SPAWN_QUOTE in semantic["quote"]
    assert lexical == off


def test_a_model_folder_that_cannot_load_is_one_warning_line_and_words_alone(
    small_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUOTEBOT_SEMANTIC_MODEL", str(tmp_path / "missing-model"))
    assert cli.main(["ask", "--json", "--corpus", str(small_corpus), SPAWN]) == 0
    captured = capsys.readouterr()
    [warning] = captured.err.splitlines()
    assert warning.startswith("quotebot: warning: QUOTEBOT_SEMANTIC_MODEL is not a folder")
    assert warning.endswith("answering by words alone (BM25)")
    [answer] = json_lines(captured.out)
    assert SPAWN_QUOTE in answer["quote"]


def test_another_model_folder_of_the_same_shape_is_used(
    small_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from quotebot.retrieval.index.onnx_embedder import BUNDLED_TOKENIZER, default_files

    folder = tmp_path / "my-model"
    folder.mkdir()
    shutil.copyfile(default_files().model, folder / "model.onnx")
    shutil.copyfile(BUNDLED_TOKENIZER, folder / "tokenizer.json")
    monkeypatch.setenv("QUOTEBOT_SEMANTIC_MODEL", str(folder))
    assert cli.main(["corpus", "embed", "--corpus", str(small_corpus)]) == 0
    assert capsys.readouterr().out == "8 of 8 passages have vectors (my-model)\n"
    [answer] = ask_json(capsys, "--corpus", str(small_corpus), SPAWN)
    assert SPAWN_QUOTE in answer["quote"]
