"""One way to replace a file: flushed, renamed, and its folder flushed, for every file quotebot replaces."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from quotebot.retrieval import LiveEngine
from quotebot.retrieval.index.checked_arrays import write_arrays
from quotebot.retrieval.ingest.durable import replacing, write_durably
from tests.conftest import SHIPPED_ARTICLE, SHIPPED_CORPUS


@pytest.fixture
def flushed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What each ``os.fsync`` flushed, in order: ``"file"`` or the folder's path."""
    seen: list[str] = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        status = os.fstat(descriptor)
        seen.append(str(Path(os.readlink(f"/proc/self/fd/{descriptor}"))) if stat.S_ISDIR(status.st_mode) else "file")
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    return seen


def test_a_small_file_is_flushed_renamed_and_its_folder_flushed(tmp_path: Path, flushed: list[str]) -> None:
    write_durably(tmp_path / "settings.json", b"{}\n")
    assert (tmp_path / "settings.json").read_bytes() == b"{}\n"
    assert flushed == ["file", str(tmp_path)]


def test_checked_arrays_are_written_the_same_way(tmp_path: Path, flushed: list[str]) -> None:
    write_arrays(tmp_path / "vectors.npz", {"model": "m"}, {"vectors": np.zeros((2, 3), dtype=np.float32)})
    assert flushed == ["file", str(tmp_path)]


def test_the_index_cache_is_written_the_same_way(tmp_path: Path, flushed: list[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / SHIPPED_ARTICLE).write_bytes((SHIPPED_CORPUS / SHIPPED_ARTICLE).read_bytes())
    LiveEngine(corpus).load()
    cache = next(corpus.glob(".quotebot-cache/*"))
    assert flushed[-2:] == ["file", str(cache.parent)]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "index"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(target, temporary_prefix=".index-") as handle:
        handle.write(b"half of the new")
        raise RuntimeError("killed midway")
    assert target.read_bytes() == b"old" and sorted(path.name for path in tmp_path.iterdir()) == ["index"]
