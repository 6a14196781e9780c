"""The scale benchmark runs end to end on a tiny corpus and prints a row per engine (no timing asserted)."""

from __future__ import annotations

import importlib.util

import pytest

from bench import scale


def test_scale_benchmark_prints_one_row_per_engine(capsys: pytest.CaptureFixture[str]) -> None:
    assert scale.main(["--sizes", "300", "--questions", "20"]) == 0
    output = capsys.readouterr().out
    rows = [line for line in output.splitlines() if line.startswith("| 300 |")]
    expected = ["quotebot", "rank-bm25"] + (["bm25s"] if importlib.util.find_spec("bm25s") else [])
    assert [row.split("|")[2].strip() for row in rows] == expected
    assert all(row.rstrip("| ").endswith("20/20") for row in rows if "bm25s" not in row)  # same top 10 as rank-bm25
    assert "machine:" in output and "text:" in output
