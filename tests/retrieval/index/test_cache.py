"""The saved index: used only when it is exactly the current corpus's, and never able to run code."""

from __future__ import annotations

import ast
import hashlib
import importlib
import json
import os
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from quotebot.retrieval.index import cache as index_cache
from quotebot.retrieval.index.cache import ANALYSIS_MODULES, cache_paths, load_index, save_index
from quotebot.retrieval.index.cache_location import CACHE_FOLDER, user_cache_folder
from quotebot.retrieval.index.corpus_index import CorpusIndex, build_index
from quotebot.retrieval.ingest.loader import load_folder

ARTICLE = (
    "---\ntitle: Rivers\nauthor: A. Writer\n---\n\n## Floods\n\n"
    "The river flooded the valley in 2019, and 1,047 families moved to higher ground.\n\n"
    "## Dams\n\nA new dam was built upstream to hold back the spring melt."
)
OTHER = "# Birds\n\nSwallows return to the barn every April and leave in September."


@pytest.fixture
def corpus(write_corpus) -> Path:  # type: ignore[no-untyped-def]
    return write_corpus({"rivers.md": ARTICLE, "birds.md": OTHER})


def built(folder: Path) -> CorpusIndex:
    index = build_index(load_folder(folder).documents)
    assert save_index(folder, index)
    return index


def reload_documents(folder: Path):  # type: ignore[no-untyped-def]
    return load_folder(folder).documents


def rewrite(path: Path, **replace: np.ndarray) -> None:
    """Rewrite the cache file with some entries replaced (keeping every other entry as stored)."""
    with np.load(path, allow_pickle=False) as data:
        entries = {name: data[name] for name in data.files}
    entries.update(replace)
    np.savez(path, **entries)


def test_round_trip_gives_the_same_index(corpus: Path) -> None:
    index = built(corpus)
    loaded = load_index(corpus, reload_documents(corpus))
    assert loaded is not None
    assert list(loaded.passages) == list(index.passages)
    assert loaded.documents == index.documents and loaded.document_offsets == index.document_offsets
    assert loaded.bm25.terms == index.bm25.terms
    for name in ("offsets", "passage_ids", "frequencies", "lengths", "weights"):
        np.testing.assert_array_equal(getattr(loaded.bm25, name), getattr(index.bm25, name))
    for name, array in index.sentences.arrays().items():
        np.testing.assert_array_equal(loaded.sentences.arrays()[name], array)
    assert loaded.passages[-1].text == index.passages[-1].text
    assert loaded.passages[0:2] == tuple(index.passages[0:2])


def test_no_cache_file_means_no_index(corpus: Path) -> None:
    assert load_index(corpus, reload_documents(corpus)) is None


def test_an_edited_document_makes_the_cache_stale(corpus: Path) -> None:
    built(corpus)
    (corpus / "birds.md").write_text(OTHER + " Some stay all winter.", encoding="utf-8")
    assert load_index(corpus, reload_documents(corpus)) is None


def test_a_cache_from_another_corpus_is_refused(corpus: Path, write_corpus) -> None:  # type: ignore[no-untyped-def]
    built(corpus)
    other = write_corpus({"rivers.md": ARTICLE})
    cache_paths(other)[0].parent.mkdir()
    cache_paths(other)[0].write_bytes(cache_paths(corpus)[0].read_bytes())
    assert load_index(other, reload_documents(other)) is None


def test_a_change_to_the_analysis_code_makes_the_cache_stale(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built(corpus)
    monkeypatch.setattr(index_cache, "analysis_hash", lambda: "0" * 64)
    assert load_index(corpus, reload_documents(corpus)) is None


def test_a_new_format_version_makes_the_cache_stale(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built(corpus)
    monkeypatch.setattr(index_cache, "FORMAT_VERSION", index_cache.FORMAT_VERSION + 1)
    assert load_index(corpus, reload_documents(corpus)) is None


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_damaged_file_is_not_trusted(corpus: Path, damage: str) -> None:
    built(corpus)
    path = cache_paths(corpus)[0]
    raw = path.read_bytes()
    path.write_bytes({"truncated": raw[: len(raw) // 2], "garbage": b"not a zip file" * 10, "empty": b""}[damage])
    assert load_index(corpus, reload_documents(corpus)) is None


def test_a_flipped_byte_in_any_stored_entry_is_detected(corpus: Path) -> None:
    built(corpus)
    path = cache_paths(corpus)[0]
    pristine = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
    for entry in entries:
        # The entry's data follows its local header: 30 bytes, then the name and extra field.
        name_length, extra_length = struct.unpack("<HH", pristine[entry.header_offset + 26:entry.header_offset + 30])
        last_byte = entry.header_offset + 30 + name_length + extra_length + entry.compress_size - 1
        damaged = bytearray(pristine)
        damaged[last_byte] ^= 0x01
        path.write_bytes(bytes(damaged))
        assert load_index(corpus, reload_documents(corpus)) is None, entry.filename


def test_an_array_that_does_not_match_its_checksum_is_refused(corpus: Path) -> None:
    built(corpus)
    with np.load(cache_paths(corpus)[0]) as data:
        frequencies = data["frequencies"].copy()
    frequencies[0] += 1
    rewrite(cache_paths(corpus)[0], frequencies=frequencies)
    assert load_index(corpus, reload_documents(corpus)) is None


def _plus_one_at_end(array: np.ndarray) -> np.ndarray:
    changed = array.copy()
    changed[-1] += 1
    return changed


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("lengths", _plus_one_at_end),  # postings no longer add up to the passage lengths
        ("sentence_ends", _plus_one_at_end),  # the last sentence ends past its passage
        ("sentence_term_ids", lambda a: a + 10_000),  # term ids past the vocabulary
        ("sentence_passage_offsets", _plus_one_at_end),  # more sentences than there are
        ("sentence_term_offsets", lambda a: a[::-1].copy()),
    ],
)
def test_consistent_checksums_over_inconsistent_data_are_refused(
    corpus: Path, name: str, damage: Callable[[np.ndarray], np.ndarray]
) -> None:
    """A file whose checksums were recomputed over bad data still fails the index's own checks."""
    built(corpus)
    path = cache_paths(corpus)[0]
    with np.load(path) as data:
        manifest = json.loads(data["manifest"].tobytes())
        array = damage(data[name])
    manifest["arrays"][name] = {"shape": list(array.shape), "sha256": hashlib.sha256(array.data).hexdigest()}
    raw = json.dumps(manifest).encode()
    rewrite(
        path,
        **{name: array},
        manifest=np.frombuffer(raw, dtype=np.uint8),
        manifest_sha256=np.frombuffer(hashlib.sha256(raw).digest(), dtype=np.uint8),
    )
    assert load_index(corpus, reload_documents(corpus)) is None


class _Payload:
    """Unpickling this would create ``marker``: proof that the cache ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.marker,))


def test_a_cache_file_cannot_run_code(corpus: Path, tmp_path: Path) -> None:
    built(corpus)
    marker = tmp_path / "code-ran"
    path = cache_paths(corpus)[0]
    with np.load(path) as data:
        entries = {name: data[name] for name in data.files}
    entries["frequencies"] = np.array([_Payload(marker)], dtype=object)
    np.savez(path, **entries)  # an object array: stored as a pickle inside the .npy
    with zipfile.ZipFile(path) as archive:
        assert b"code-ran" in archive.read("frequencies.npy")
    assert load_index(corpus, reload_documents(corpus)) is None
    assert not marker.exists()


def test_a_corpus_folder_that_cannot_hold_the_cache_sends_it_to_the_user_cache(
    corpus: Path, user_cache_home: Path
) -> None:
    (corpus / CACHE_FOLDER).write_text("a file where the cache folder should be")
    index = build_index(reload_documents(corpus))
    assert save_index(corpus, index) is True
    saved = cache_paths(corpus)[1]
    assert saved.is_file() and saved.is_relative_to(user_cache_home / "quotebot" / "indexes")
    assert load_index(corpus, reload_documents(corpus)) is not None


def test_no_writable_place_at_all_only_means_no_cache(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (corpus / CACHE_FOLDER).write_text("a file where the cache folder should be")
    blocked = corpus.parent / "not-a-folder"
    blocked.write_text("a file where the user cache should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    index = build_index(reload_documents(corpus))
    assert save_index(corpus, index) is False
    assert load_index(corpus, reload_documents(corpus)) is None


def test_two_corpora_with_the_same_folder_name_get_separate_user_caches(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "corpus", tmp_path / "b" / "corpus"
    assert user_cache_folder(first) != user_cache_folder(second)
    assert user_cache_folder(first).name.startswith("corpus-")


def test_a_failed_write_keeps_the_old_cache_and_leaves_no_temporary_file(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = built(corpus)
    before = cache_paths(corpus)[0].read_bytes()

    def full_disk(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(index_cache.np, "savez", full_disk)
    assert save_index(corpus, index) is False
    assert cache_paths(corpus)[0].read_bytes() == before
    assert os.listdir(cache_paths(corpus)[0].parent) == [index_cache.CACHE_FILE]


def test_the_analysis_hash_covers_every_retrieval_module_the_index_build_imports() -> None:
    """Adding an import to tokenizing code without listing it here would let stale caches through."""
    seen: set[str] = set()
    pending = ["quotebot.retrieval.index.corpus_index"]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse(Path(str(importlib.import_module(name).__file__)).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("quotebot.retrieval."):
                pending.append(node.module)
            elif isinstance(node, ast.Import):
                pending.extend(alias.name for alias in node.names if alias.name.startswith("quotebot.retrieval."))
    assert seen <= set(ANALYSIS_MODULES)
