"""The fitted models are read by feature name from their data file, and a file that does not fit the signals is refused."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from quotebot.retrieval.answer.confidence import (
    FEATURES,
    WEIGHTS_FILE,
    LogisticModel,
    calibrations,
    judge,
    read_calibrations,
)
from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.ingest.loader import load_folder
from tests.conftest import SHIPPED_CORPUS

QUESTION = "How many defectors reached South Korea in 2019?"


@pytest.fixture(scope="module")
def signals():  # type: ignore[no-untyped-def]
    _, found = QuoteEngine.build(load_folder(SHIPPED_CORPUS).documents).explain(QUESTION)
    assert found is not None
    return found


def test_the_shipped_models_weigh_exactly_the_features_each_path_gives(signals) -> None:  # type: ignore[no-untyped-def]
    semantic = replace(signals, passage_cosine=0.6, best_passage_cosine=0.6, quote_cosine=0.5, best_sentence_cosine=0.5)
    for path, given in (("lexical", signals), ("semantic", semantic)):
        models = calibrations()[path]
        assert set(models.decline.weights) == set(given.decline_features()) == set(FEATURES[path]["decline"])
        assert set(models.confidence.weights) == set(given.confidence_features(0.5)) == set(FEATURES[path]["confidence"])
        _, confidence = judge(given)
        assert 0.0 < confidence < 1.0


def _edited(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    record = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    edit(record)
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def test_a_weights_file_missing_a_feature_is_refused_naming_it(tmp_path: Path) -> None:
    path = _edited(tmp_path, lambda record: record["semantic"]["confidence"]["weights"].pop("quote_cosine"))
    with pytest.raises(ValueError, match=r"semantic confidence model: missing \['quote_cosine'\], unexpected none"):
        read_calibrations(path)


def test_a_weights_file_with_an_unknown_feature_is_refused_naming_it(tmp_path: Path) -> None:
    path = _edited(tmp_path, lambda record: record["lexical"]["decline"]["weights"].update(word_count=1.0))
    with pytest.raises(ValueError, match=r"lexical decline model: missing none, unexpected \['word_count'\]"):
        read_calibrations(path)


def test_the_shipped_file_reads_as_the_models_in_use() -> None:
    assert read_calibrations(WEIGHTS_FILE) == calibrations()


def test_a_model_reads_features_by_name_not_by_order() -> None:
    model = LogisticModel({"a": 2.0, "b": -1.0}, 0.5)
    assert model.probability({"a": 1.0, "b": 3.0}) == model.probability({"b": 3.0, "a": 1.0})
    assert model.probability({"a": 1.0, "b": 3.0}) == pytest.approx(1 / (1 + 2.718281828459045 ** 0.5))
    with pytest.raises(ValueError, match=r"missing \['b'\]"):
        model.probability({"a": 1.0})
