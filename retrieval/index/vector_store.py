"""Passage and sentence vectors, kept by passage content so unchanged passages are never embedded twice.

Embedding is the slow part of indexing (about 75 ms a passage here, its
sentences included), so vectors outlive a reload and a restart: they are
kept by the SHA-256 of the passage's text and by model, so an edit
re-embeds only the passages it changed, and another model's vectors are
never read as this one's.

On disk they sit in their own folder beside the BM25 index cache
(``cache_location``), ``vectors-<model>/part-NNNNN.npz``: each part holds
the vectors of one batch of passages and is written once, atomically, so a
stop loses at most the batch being embedded. A part is untrusted input like
the index cache (``checked_arrays``): a manifest naming the model and the
sentence-splitting code, every array checked by its SHA-256, and anything
that does not check out is ignored (and embedded again).

Vectors are stored as int8 with one float32 scale per vector (a quarter of
float32's size; cosines change by less than 0.002).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from quotebot.retrieval.index.cache_location import cache_folders
from quotebot.retrieval.index.checked_arrays import read_arrays, write_arrays
from quotebot.retrieval.ingest import sentences

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
DIGEST_BYTES = 16
_PART = re.compile(r"^part-(\d{5})\.npz$")
# Array name to its dtype; anything else in a part is refused.
ARRAYS = {
    "digests": np.dtype(np.uint8),
    "passages": np.dtype(np.int8),
    "passage_scales": np.dtype(np.float32),
    "sentence_counts": np.dtype(np.int32),
    "sentences": np.dtype(np.int8),
    "sentence_scales": np.dtype(np.float32),
}


def passage_digest(text: str) -> bytes:
    """What a passage's vectors are kept by: its text, nothing else."""
    return hashlib.sha256(text.encode("utf-8")).digest()[:DIGEST_BYTES]


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows as int8 and the float32 scale that restores each (``row * scale``)."""
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    scales = np.abs(vectors).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    return np.round(vectors / scales[:, None]).astype(np.int8), scales.astype(np.float32)


@dataclass(frozen=True)
class StoredVectors:
    """One passage's vectors: the passage's own and one per sentence (``sentence_spans`` order), int8 with scales."""

    passage: np.ndarray
    passage_scale: float
    sentences: np.ndarray
    sentence_scales: np.ndarray

    def sentence_cosines(self, unit_question: np.ndarray) -> np.ndarray:
        return (self.sentences @ unit_question) * self.sentence_scales


@dataclass(frozen=True)
class _Part:
    """The arrays of one part file (or of vectors not yet written), with each passage's sentence offset."""

    passages: np.ndarray
    passage_scales: np.ndarray
    sentence_offsets: np.ndarray
    sentences: np.ndarray
    sentence_scales: np.ndarray

    def vectors(self, row: int) -> StoredVectors:
        first, last = self.sentence_offsets[row], self.sentence_offsets[row + 1]
        return StoredVectors(
            self.passages[row], float(self.passage_scales[row]), self.sentences[first:last], self.sentence_scales[first:last]
        )


class VectorStore:
    """The vectors of one model, by passage digest, in memory and in part files; thread-safe."""

    def __init__(self, folders: Sequence[Path], model_identity: str, dimension: int) -> None:
        """``folders``: where parts may be kept, tried in order (``None`` of them writable: memory only)."""
        self.model_identity = model_identity
        self.dimension = dimension
        self._folders = [folder / f"vectors-{_model_key(model_identity)}" for folder in folders]
        self._parts: list[_Part] = []
        self._where: dict[bytes, tuple[int, int]] = {}
        self._pending: list[tuple[bytes, np.ndarray, np.ndarray]] = []
        self._lock = threading.Lock()
        self._next_part = 0
        self._unwritable_warned = False
        for folder in self._folders:
            self._read_parts(folder)

    @classmethod
    def for_corpus(cls, corpus: Path, model_identity: str, dimension: int) -> VectorStore:
        """The store beside ``corpus`` (or in the user cache), by absolute path: the embedding worker writes it
        from another thread, whatever the process's working folder is by then."""
        return cls(cache_folders(corpus.resolve()), model_identity, dimension)

    def __len__(self) -> int:
        with self._lock:
            return len(self._where) + len(self._pending)

    def __contains__(self, digest: object) -> bool:
        return self.get(digest) is not None  # type: ignore[arg-type]

    def get(self, digest: bytes) -> StoredVectors | None:
        with self._lock:
            where = self._where.get(digest)
            if where is not None:
                return self._parts[where[0]].vectors(where[1])
            for pending_digest, passage, sentence_rows in reversed(self._pending):
                if pending_digest == digest:
                    return _stored(passage, sentence_rows)
        return None

    def add(self, digest: bytes, passage: np.ndarray, sentence_rows: np.ndarray) -> StoredVectors:
        """Keep a passage's unit vectors (float32; one row per sentence); written at the next ``flush``."""
        with self._lock:
            self._pending.append((digest, np.asarray(passage, np.float32), np.asarray(sentence_rows, np.float32)))
        return _stored(passage, sentence_rows)

    def flush(self) -> None:
        """Move the vectors added since the last flush into a part, written to the first folder that takes it."""
        with self._lock:
            pending, self._pending = self._pending, []
            if not pending:
                return
            arrays = _part_arrays(pending, self.dimension)
            number = len(self._parts)
            self._parts.append(_part_of(arrays))
            for row, (digest, _, _) in enumerate(pending):
                self._where[digest] = (number, row)
            part_number = self._next_part
            self._next_part += 1
        written = any(self._write(folder, part_number, arrays) for folder in self._folders)
        if self._folders and not written and not self._unwritable_warned:
            self._unwritable_warned = True
            log.warning("cannot save passage vectors for %s; they will be computed again next start", self.model_identity)

    def compact(self, keep: Iterable[bytes]) -> None:
        """Rewrite the kept vectors as one part and drop the rest (removed or edited passages)."""
        self.flush()
        wanted = set(keep)
        with self._lock:
            kept = [(digest, self._parts[p].vectors(r)) for digest, (p, r) in self._where.items() if digest in wanted]
            if len(kept) == len(self._where) and len(self._parts) <= 1:
                return
            self._parts, self._where = [], {}
            self._pending = [
                (digest, v.passage.astype(np.float32) * v.passage_scale, v.sentences * v.sentence_scales[:, None])
                for digest, v in kept
            ]
            old = [path for folder in self._folders for path in _part_files(folder)]
        self.flush()
        newest = {path for folder in self._folders for path in _part_files(folder)} - set(old)
        for path in old:
            if path not in newest:
                path.unlink(missing_ok=True)

    def _read_parts(self, folder: Path) -> None:
        for path in _part_files(folder):
            self._next_part = max(self._next_part, int(_PART.match(path.name).group(1)) + 1)  # type: ignore[union-attr]
            try:
                digests, part = self._read(path)
            except Exception as error:  # noqa: BLE001 - a damaged part can fail in any parser; it is re-embedded
                log.warning("ignoring passage vectors %s: %s", path, error)
                continue
            number = len(self._parts)
            self._parts.append(part)
            for row, digest in enumerate(digests):
                self._where[digest] = (number, row)

    def _read(self, path: Path) -> tuple[list[bytes], _Part]:
        found = read_arrays(path, ARRAYS, lambda manifest: manifest.get("key") == self._key())
        if found is None:
            raise ValueError("made by another model or sentence splitter")
        _, arrays = found
        count, dimension = len(arrays["passage_scales"]), self.dimension
        counts = arrays["sentence_counts"]
        if not (
            arrays["digests"].shape == (count, DIGEST_BYTES)
            and arrays["passages"].shape == (count, dimension)
            and counts.shape == (count,)
            and (counts >= 1).all()
            and arrays["sentences"].shape == (int(counts.sum()), dimension)
            and arrays["sentence_scales"].shape == (int(counts.sum()),)
        ):
            raise ValueError("inconsistent shapes")
        return [bytes(row) for row in arrays["digests"]], _part_of(arrays)

    def _write(self, folder: Path, number: int, arrays: dict[str, np.ndarray]) -> bool:
        try:
            write_arrays(folder / f"part-{number:05d}.npz", {"key": self._key()}, arrays)
            return True
        except OSError as error:
            log.info("cannot write passage vectors in %s (%s)", folder, error)
            return False

    def _key(self) -> dict[str, object]:
        return {
            "format": FORMAT_VERSION,
            "model": self.model_identity,
            "dimension": self.dimension,
            "sentences": _sentence_code_hash(),
        }


def _stored(passage: np.ndarray, sentence_rows: np.ndarray) -> StoredVectors:
    passage_int8, passage_scale = quantize(passage)
    sentence_int8, sentence_scales = quantize(sentence_rows)
    return StoredVectors(passage_int8[0], float(passage_scale[0]), sentence_int8, sentence_scales)


def _part_arrays(pending: list[tuple[bytes, np.ndarray, np.ndarray]], dimension: int) -> dict[str, np.ndarray]:
    passages, passage_scales = quantize(np.stack([passage for _, passage, _ in pending]))
    sentence_rows = np.concatenate([np.atleast_2d(rows) for _, _, rows in pending]).reshape(-1, dimension)
    sentence_int8, sentence_scales = quantize(sentence_rows)
    return {
        "digests": np.frombuffer(b"".join(digest for digest, _, _ in pending), dtype=np.uint8).reshape(-1, DIGEST_BYTES),
        "passages": passages,
        "passage_scales": passage_scales,
        "sentence_counts": np.array([len(np.atleast_2d(rows)) for _, _, rows in pending], dtype=np.int32),
        "sentences": sentence_int8,
        "sentence_scales": sentence_scales,
    }


def _part_of(arrays: dict[str, np.ndarray]) -> _Part:
    offsets = np.zeros(len(arrays["sentence_counts"]) + 1, dtype=np.int64)
    np.cumsum(arrays["sentence_counts"], out=offsets[1:])
    return _Part(arrays["passages"], arrays["passage_scales"], offsets, arrays["sentences"], arrays["sentence_scales"])


def _part_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if _PART.match(path.name))


def _model_key(identity: str) -> str:
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def _sentence_code_hash() -> str:
    """Sentence vectors are rows of ``sentence_spans``; another splitter makes them another passage's."""
    return hashlib.sha256(Path(str(sentences.__file__)).read_bytes()).hexdigest()
