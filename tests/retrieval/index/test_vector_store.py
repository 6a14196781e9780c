"""Passage vectors kept by content and model, on disk as checked plain arrays, reused and never trusted blindly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from quotebot.retrieval.index.vector_store import VectorStore, passage_digest, quantize


def _unit(seed: int, rows: int = 1) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((rows, 8)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _store(folder: Path, model: str = "model-a") -> VectorStore:
    return VectorStore([folder], model, 8)


def test_int8_vectors_keep_cosines_within_a_hundredth() -> None:
    vectors = _unit(1, 50)
    rows, scales = quantize(vectors)
    restored = rows.astype(np.float32) * scales[:, None]
    assert rows.dtype == np.int8
    assert np.abs(restored @ vectors[0] - vectors @ vectors[0]).max() < 0.01


def test_vectors_survive_a_restart_and_are_found_by_passage_text(tmp_path: Path) -> None:
    store = _store(tmp_path)
    digest = passage_digest("Zebrafish spawn at dawn. The eggs hatch in three days.")
    store.add(digest, _unit(1)[0], _unit(2, 2))
    store.flush()

    again = _store(tmp_path)
    stored = again.get(digest)
    assert stored is not None and len(again) == 1
    assert stored.sentences.shape == (2, 8)
    assert np.allclose(stored.sentence_cosines(_unit(2, 2)[0]), _unit(2, 2) @ _unit(2, 2)[0], atol=0.02)
    assert again.get(passage_digest("another text")) is None


def test_another_models_vectors_are_not_read(tmp_path: Path) -> None:
    store = _store(tmp_path, "model-a")
    store.add(passage_digest("text"), _unit(1)[0], _unit(2, 1))
    store.flush()
    assert len(_store(tmp_path, "model-b")) == 0
    assert len(_store(tmp_path, "model-a")) == 1


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_damaged_part_is_ignored(tmp_path: Path, damage: str) -> None:
    store = _store(tmp_path)
    store.add(passage_digest("text"), _unit(1)[0], _unit(2, 1))
    store.flush()
    part = next(tmp_path.rglob("part-*.npz"))
    raw = bytearray(part.read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    else:
        raw[len(raw) // 2] ^= 0xFF
    part.write_bytes(bytes(raw))
    assert len(_store(tmp_path)) == 0


def test_compact_keeps_only_the_passages_still_in_the_corpus(tmp_path: Path) -> None:
    store = _store(tmp_path)
    kept, dropped = passage_digest("kept"), passage_digest("dropped")
    for number, digest in enumerate((kept, dropped)):
        store.add(digest, _unit(number)[0], _unit(number + 5, 2))
        store.flush()
    assert len(list(tmp_path.rglob("part-*.npz"))) == 2

    store.compact([kept])

    assert len(list(tmp_path.rglob("part-*.npz"))) == 1
    again = _store(tmp_path)
    assert again.get(kept) is not None and again.get(dropped) is None


def test_an_unwritable_folder_keeps_vectors_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    store = _store(blocker)
    digest = passage_digest("text")
    store.add(digest, _unit(1)[0], _unit(2, 1))
    store.flush()
    assert store.get(digest) is not None
