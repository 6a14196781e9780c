"""The calibration bench fits named models that the engine reads back (the repository's own sets, lexical: quick)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.calibrate_confidence import calibrate, collect, repository_sources
from quotebot.retrieval.answer.confidence import FEATURES, WEIGHTS_FILE, read_calibrations


def test_fitted_models_are_written_by_name_and_read_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [row for name, corpora in repository_sources() for row in collect(corpora, name, None, None)]
    calibration = calibrate(rows, "lexical", declined_share=0.02, member_weight=2.0)
    assert list(calibration.decline.weights) == list(FEATURES["lexical"]["decline"])
    assert set(calibration.confidence.weights) == set(FEATURES["lexical"]["confidence"])
    assert 0.0 < calibration.decline_below < 1.0 and 0.0 < calibration.unsure_below < 1.0
    record = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    record["lexical"] = calibration.as_record()
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    assert read_calibrations(path)["lexical"].confidence.weights.keys() == calibration.confidence.weights.keys()
    printed = capsys.readouterr().out
    assert "held out by article" in printed and "| tidewater members |" in printed
