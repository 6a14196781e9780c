"""The automatic answer's threshold benchmark runs end to end on one SQuAD article and prints its tables."""

from __future__ import annotations

import pytest

from bench import auto_answer
from quotebot.bot.settings import AUTO_ANSWER_CONFIDENCE


def test_it_prints_a_row_per_threshold_and_the_shipped_thresholds_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert auto_answer.main(["--articles", "1", "--lexical"]) == 0
    output = capsys.readouterr().out
    rows = [line for line in output.splitlines() if line.startswith(">= ")]
    assert len(rows) == 2 * len({*auto_answer.THRESHOLDS, AUTO_ANSWER_CONFIDENCE})  # SQuAD, then the article set
    assert f"Shipped threshold (QUOTEBOT_AUTO_ANSWER_CONFIDENCE default): {AUTO_ANSWER_CONFIDENCE:g}" in output
