"""``quotebot chat`` prints exactly what the bot would post, and ends cleanly."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import pytest

from quotebot.bot.cli import console
from quotebot.bot.render import answer_markdown
from quotebot.retrieval.live import LiveEngine
from tests.bot.e2e import copy_corpus

QUESTIONS = ["how many north koreans have resettled in the south since the famine?", "What is the capital of France?"]


@pytest.fixture
def corpus(clean_env) -> Path:
    """A private copy: loading writes an index cache beside the corpus."""
    return copy_corpus(clean_env)


def expected_output(corpus: Path) -> str:
    live = LiveEngine(corpus)
    live.load()
    return "".join(answer_markdown(live.ask(question)) + "\n\n" for question in QUESTIONS)


def test_each_line_is_answered_with_the_rendered_markdown(corpus, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{QUESTIONS[0]}\n\n   \n{QUESTIONS[1]}\n"))
    assert console.main(argparse.Namespace(corpus=corpus)) == 0
    out = capsys.readouterr().out
    assert out == expected_output(corpus)
    assert out.startswith("> ")


def test_ctrl_c_exits_cleanly(corpus, monkeypatch):
    def interrupted(prompt: str = "") -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("builtins.input", interrupted)
    assert console.main(argparse.Namespace(corpus=corpus)) == 0


def test_the_command_reads_stdin_until_eof(run_cli, corpus):
    result = run_cli("chat", "--corpus", str(corpus), input="\n".join(QUESTIONS) + "\n", timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected_output(corpus)
    assert "Traceback" not in result.stderr
