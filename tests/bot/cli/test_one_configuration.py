"""Every subcommand reads the one ``Settings``: the environment and ``./.env``, with one vocabulary for on/off."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotebot.bot import cli
from tests.bot.cli.conftest import json_lines

OFF_WORDS = ("off", "OFF", "false", "no", "0", "f", "n")
ON_WORDS = ("on", "true", "Yes", "1")


def semantic_line(capsys: pytest.CaptureFixture[str], corpus: Path) -> str:
    assert cli.main(["corpus", "check", "--corpus", str(corpus)]) == 0
    return next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Semantic model:"))


@pytest.mark.parametrize("word", OFF_WORDS)
def test_a_dotenv_file_turns_the_model_off_for_the_corpus_commands_too(
    small_corpus: Path, isolated_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, word: str
) -> None:
    monkeypatch.delenv("QUOTEBOT_SEMANTIC", raising=False)
    (isolated_env / ".env").write_text(f"QUOTEBOT_SEMANTIC={word}\n")
    assert semantic_line(capsys, small_corpus) == "Semantic model: off (answers by words alone)"


@pytest.mark.parametrize("word", ON_WORDS)
def test_the_same_words_turn_it_on(
    small_corpus: Path, isolated_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, word: str
) -> None:
    monkeypatch.setenv("QUOTEBOT_SEMANTIC", word)
    assert semantic_line(capsys, small_corpus).startswith("Semantic model: 0 of 8 passages have vectors")


def test_ask_answers_from_the_corpus_a_dotenv_file_names(
    small_corpus: Path, isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated_env / ".env").write_text(f"QUOTEBOT_CORPUS={small_corpus}\nQUOTEBOT_SEMANTIC=off\n")
    assert cli.main(["ask", "--json", "when do zebrafish spawn"]) == 0
    captured = capsys.readouterr()
    [answer] = json_lines(captured.out)
    assert answer["results"][0]["document"]["id"] == "zebrafish.md"
    assert captured.err == "", "a corpus chosen by the settings is not announced as the default"


def test_an_unusable_setting_stops_ask_with_one_line_naming_it(
    small_corpus: Path, isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated_env / ".env").write_text("QUOTEBOT_SEMANTIC=sometimes\n")
    assert cli.main(["ask", "--corpus", str(small_corpus), "zebrafish"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == ["quotebot: QUOTEBOT_SEMANTIC: Input should be a valid boolean, unable to interpret input"]


def test_ask_needs_no_server_folders_so_a_corpus_holding_them_still_answers(
    small_corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(small_corpus)  # ./servers, the default server folder, is inside the corpus named `.`
    monkeypatch.setenv("QUOTEBOT_SEMANTIC", "off")
    assert cli.main(["ask", "--json", "--corpus", ".", "when do zebrafish spawn"]) == 0
    [answer] = json_lines(capsys.readouterr().out)
    assert answer["results"][0]["document"]["id"] == "zebrafish.md"


def test_a_serving_command_still_refuses_folders_inside_each_other(
    small_corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(small_corpus)
    assert cli.main(["corpus", "reload", "--corpus", "."]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "quotebot: QUOTEBOT_CORPUS and QUOTEBOT_SERVER_CORPORA must be separate folders, neither inside the other"
    ]
