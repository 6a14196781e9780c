"""The saved index: used only when it is intact and made by this code, plain data that can never run code."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from quotebot.retrieval.index import cache as index_cache
from quotebot.retrieval.index.cache import (
    HEAD_SIZE,
    MAGIC,
    cache_paths,
    load_index,
    save_index,
    trusted_stamps,
)
from quotebot.retrieval.index.cache_location import CACHE_FOLDER, user_cache_folder
from quotebot.retrieval.index.corpus_index import CorpusIndex, build_index
from quotebot.retrieval.ingest.loader import CorpusError, load_folder, scan_folder

ARTICLE = (
    "---\ntitle: Rivers\nauthor: A. Writer\ndate: 2019-05-01\ntags: [floods]\n---\n\n## Floods\n\n"
    "The river flooded the valley in 2019, and 1,047 families moved to higher ground.\n\n"
    "## Dams\n\nA new dam was built upstream to hold back the spring melt."
)
OTHER = "# Birds\n\nSwallows return to the barn every April and leave in September."


@pytest.fixture
def corpus(write_corpus) -> Path:  # type: ignore[no-untyped-def]
    return write_corpus({"rivers.md": ARTICLE, "birds.md": OTHER})


def built(folder: Path) -> CorpusIndex:
    index = build_index(load_folder(folder).documents)
    assert save_index(folder, index, {})
    return index


class RawCache:
    """A cache file taken apart (arrays, bodies, manifest) and put back together, checksums made to match."""

    def __init__(self, path: Path) -> None:
        self.path = path
        raw = path.read_bytes()
        self.manifest_offset, length = struct.unpack("<QQ", raw[len(MAGIC):HEAD_SIZE])
        self.manifest: dict[str, Any] = json.loads(raw[self.manifest_offset:self.manifest_offset + length])
        self.arrays = {
            name: np.frombuffer(raw, dtype=entry["dtype"], count=entry["shape"][0], offset=entry["offset"]).copy()
            for name, entry in self.manifest["arrays"].items()
        }
        self.body_start = min(entry["body"][0] for entry in self.manifest["documents"])
        self.bodies = raw[self.body_start:self.manifest_offset]

    def write(self) -> None:
        content = bytearray(HEAD_SIZE)
        for name, array in self.arrays.items():
            content += bytes(-len(content) % 64)
            self.manifest["arrays"][name] = {
                "dtype": array.dtype.str, "shape": list(array.shape), "offset": len(content),
                "crc32": zlib.crc32(array.data),
            }
            content += array.tobytes()
        for entry in self.manifest["documents"]:
            entry["body"][0] += len(content) - self.body_start
        content += self.bodies
        manifest = json.dumps(self.manifest).encode()
        content[:HEAD_SIZE] = MAGIC + struct.pack("<QQ", len(content), len(manifest))
        self.path.write_bytes(bytes(content) + manifest + hashlib.sha256(manifest).digest())


def test_round_trip_gives_the_same_index(corpus: Path) -> None:
    index = built(corpus)
    saved = load_index(corpus)
    assert saved is not None
    loaded = saved.index
    assert list(loaded.passages) == list(index.passages)
    assert loaded.documents == index.documents and loaded.document_offsets == index.document_offsets
    rivers = loaded.documents[1]
    assert rivers.extra == {"tags": ["floods"]} and rivers.date == "2019-05-01" and rivers.author == "A. Writer"
    assert loaded.bm25.terms == index.bm25.terms
    for name in ("offsets", "passage_ids", "frequencies", "lengths", "approximate"):
        np.testing.assert_array_equal(getattr(loaded.bm25, name), getattr(index.bm25, name))
    for name, array in index.sentences.arrays().items():
        np.testing.assert_array_equal(loaded.sentences.arrays()[name], array)
    assert loaded.passages[-1].text == index.passages[-1].text


def test_bodies_are_read_only_when_a_passage_is_read(corpus: Path) -> None:
    built(corpus)
    saved = load_index(corpus)
    assert saved is not None
    document = saved.index.documents[0]
    assert callable(document.__dict__["_body"])  # not read yet
    assert "Swallows" in saved.index.passages[0].text
    assert document.__dict__["_body"] == document.body


def test_a_loaded_index_keeps_its_arrays_when_a_new_index_is_saved_over_its_file(corpus: Path) -> None:
    """The arrays are mapped from the file: the writer's rename must leave the loaded ones as they were."""
    index = built(corpus)
    saved = load_index(corpus)
    assert saved is not None
    (corpus / "birds.md").write_text(OTHER + "\n\nOwls hunt at night over the fields of the valley.", encoding="utf-8")
    assert save_index(corpus, build_index(load_folder(corpus).documents), {})
    np.testing.assert_array_equal(saved.index.bm25.passage_ids, index.bm25.passage_ids)
    np.testing.assert_array_equal(saved.index.bm25.approximate, index.bm25.approximate)
    assert not saved.index.bm25.passage_ids.flags.writeable  # the file's pages, never written through
    assert "Swallows" in saved.index.passages[0].text and "Owls" not in saved.index.passages[0].text


def test_the_stamps_saved_are_the_trusted_ones(corpus: Path) -> None:
    index = build_index(load_folder(corpus).documents)
    stamps = scan_folder(corpus)
    later = max(stamp.changed_ns for stamp in stamps) + 3_000_000_000
    assert trusted_stamps(stamps, later - 3_000_000_000) == {}  # files changed just before: not trusted
    trusted = trusted_stamps(stamps, later)
    assert set(trusted) == {"birds.md", "rivers.md"}
    save_index(corpus, index, trusted)
    saved = load_index(corpus)
    assert saved is not None and saved.stamps == trusted


def test_no_cache_file_means_no_index(corpus: Path) -> None:
    assert load_index(corpus) is None


def test_a_change_to_the_analysis_key_makes_the_cache_stale(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built(corpus)
    monkeypatch.setattr(index_cache, "analysis_key", lambda: "analysis 0")
    assert load_index(corpus) is None


def test_a_new_format_version_makes_the_cache_stale(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built(corpus)
    monkeypatch.setattr(index_cache, "FORMAT_VERSION", index_cache.FORMAT_VERSION + 1)
    assert load_index(corpus) is None


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "huge manifest length"])
def test_a_damaged_file_is_not_trusted(corpus: Path, damage: str) -> None:
    built(corpus)
    path = cache_paths(corpus)[0]
    raw = path.read_bytes()
    damaged = {
        "truncated": raw[: len(raw) // 2],
        "garbage": b"not an index" * 10,
        "empty": b"",
        "huge manifest length": MAGIC + struct.pack("<QQ", HEAD_SIZE, 2**62) + raw[HEAD_SIZE:],
    }[damage]
    path.write_bytes(damaged)
    assert load_index(corpus) is None


def test_a_flipped_byte_in_the_head_an_array_or_the_manifest_is_detected(corpus: Path) -> None:
    built(corpus)
    path = cache_paths(corpus)[0]
    pristine = path.read_bytes()
    raw = RawCache(path)
    positions = {0, len(MAGIC), raw.manifest_offset + 5, len(pristine) - 1}
    positions |= {entry["offset"] for entry in raw.manifest["arrays"].values() if entry["shape"][0]}
    for position in sorted(positions):
        damaged = bytearray(pristine)
        damaged[position] ^= 0x01
        path.write_bytes(bytes(damaged))
        assert load_index(corpus) is None, position


def _damage_the_last_body(path: Path) -> None:
    raw = RawCache(path)
    raw.bodies = raw.bodies[:-5] + b"XXXXX"
    raw.write()


def test_a_damaged_body_is_read_from_the_document_instead(corpus: Path) -> None:
    index = built(corpus)
    _damage_the_last_body(cache_paths(corpus)[0])
    saved = load_index(corpus)
    assert saved is not None
    assert [p.text for p in saved.index.passages] == [p.text for p in index.passages]


def test_a_damaged_body_of_a_changed_document_is_a_clear_error(corpus: Path) -> None:
    built(corpus)
    _damage_the_last_body(cache_paths(corpus)[0])
    (corpus / "rivers.md").write_text(ARTICLE + " More.", encoding="utf-8")
    saved = load_index(corpus)
    assert saved is not None
    with pytest.raises(CorpusError, match="reload the corpus"):
        _ = [p.text for p in saved.index.passages]


def _plus_one_at_end(array: np.ndarray) -> np.ndarray:
    changed = array.copy()
    changed[-1] += 1
    return changed


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("bm25_lengths", _plus_one_at_end),  # postings no longer add up to the passage lengths
        ("bm25_passage_ids", lambda a: a + 1_000),  # passages that do not exist
        ("passage_ends", lambda a: a + 1_000),  # passages past their document's end
        ("document_offsets", _plus_one_at_end),
        ("sentence_ends", _plus_one_at_end),  # the last sentence ends past its passage
        ("sentence_term_ids", lambda a: a + 10_000),  # term ids past the vocabulary
        ("sentence_passage_offsets", _plus_one_at_end),  # more sentences than there are
        ("sentence_term_offsets", lambda a: a[::-1].copy()),
        ("terms", lambda a: np.frombuffer(b"b\na", dtype=np.uint8).copy()),  # an unsorted vocabulary
    ],
)
def test_consistent_checksums_over_inconsistent_data_are_refused(
    corpus: Path, name: str, damage: Callable[[np.ndarray], np.ndarray]
) -> None:
    """A file whose checksums were recomputed over bad data still fails the index's own checks."""
    built(corpus)
    raw = RawCache(cache_paths(corpus)[0])
    raw.arrays[name] = damage(raw.arrays[name])
    raw.write()
    assert load_index(corpus) is None


def test_the_helper_that_rewrites_files_keeps_a_good_one_good(corpus: Path) -> None:
    """So that the refusals above are caused by the damage, not by the rewriting."""
    built(corpus)
    RawCache(cache_paths(corpus)[0]).write()
    saved = load_index(corpus)
    assert saved is not None and "Swallows" in saved.index.passages[0].text


def test_an_array_that_does_not_match_its_checksum_is_refused(corpus: Path) -> None:
    built(corpus)
    path = cache_paths(corpus)[0]
    raw = RawCache(path)
    entry = raw.manifest["arrays"]["bm25_frequencies"]
    content = bytearray(path.read_bytes())
    content[entry["offset"]] += 1
    path.write_bytes(bytes(content))
    assert load_index(corpus) is None


class _Payload:
    """Unpickling this would create ``marker``: proof that the cache ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.marker,))


def test_a_cache_file_cannot_run_code(corpus: Path, tmp_path: Path) -> None:
    built(corpus)
    marker = tmp_path / "code-ran"
    raw = RawCache(cache_paths(corpus)[0])
    payload = pickle.dumps(_Payload(marker))
    raw.arrays["bm25_frequencies"] = np.frombuffer(payload, dtype="u1").copy()
    raw.manifest["extra_code"] = payload.decode("latin-1")
    raw.write()
    assert load_index(corpus) is None
    assert not marker.exists()


def test_a_corpus_folder_that_cannot_hold_the_cache_sends_it_to_the_user_cache(
    corpus: Path, user_cache_home: Path
) -> None:
    (corpus / CACHE_FOLDER).write_text("a file where the cache folder should be")
    index = build_index(load_folder(corpus).documents)
    assert save_index(corpus, index, {}) is True
    saved = cache_paths(corpus)[1]
    assert saved.is_file() and saved.is_relative_to(user_cache_home / "quotebot" / "indexes")
    assert load_index(corpus) is not None


def test_no_writable_place_at_all_only_means_no_cache(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (corpus / CACHE_FOLDER).write_text("a file where the cache folder should be")
    blocked = corpus.parent / "not-a-folder"
    blocked.write_text("a file where the user cache should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    index = build_index(load_folder(corpus).documents)
    assert save_index(corpus, index, {}) is False
    assert load_index(corpus) is None


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

    monkeypatch.setattr(index_cache.os, "fsync", full_disk)
    assert save_index(corpus, index, {}) is False
    assert cache_paths(corpus)[0].read_bytes() == before
    assert os.listdir(cache_paths(corpus)[0].parent) == [index_cache.CACHE_FILE]

