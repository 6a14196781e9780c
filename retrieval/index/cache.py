"""The built index saved (beside the corpus, or per ``cache_location``), so that a restart re-analyses nothing.

One file per corpus holds every document's entry (its file's size and times,
its content hash, its metadata and body) and the arrays of the index
(postings, passages, sentences), so a start reads no corpus file whose size
and times are unchanged, and a restart after an edit analyses only the
edited documents (``live``). Bodies are read from the file only when a
passage of their document is quoted.

A cache file is untrusted input: anyone who can write to the corpus folder
can write it. It is therefore plain data: a JSON manifest and raw numeric
arrays at the offsets it gives, never unpickled. It is used only when every
check passes: the format version; the analysis version and the versions of
the libraries analysis relies on (a change to tokenizing or splitting makes
old caches stale, and nothing else does: an upgrade that leaves analysis as it
was re-indexes nothing); a
SHA-256 of the manifest (and of each body, when it is read) and a CRC-32 of
every array (twice as fast to check as SHA-256, and any checksum only
detects damage: whoever can write the file can write its checksums); and the
index's own consistency (every offset, id and span within
bounds: ``SparseBM25.validate``, ``SentenceTable.validate`` and the passage
layout). Anything else means "no cache": the corpus is indexed again and the
file rewritten.

Layout: ``MAGIC`` and the manifest's offset and length (8 bytes each,
little-endian); the arrays, each starting at a multiple of 64; the bodies;
the manifest (JSON) and its SHA-256. The manifest comes last so that a
corpus's text is written one body at a time, never copied whole.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import mmap
import os
import struct
import threading
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import regex

from quotebot.retrieval.index.bm25 import COUNT_TYPES, SparseBM25, narrowest
from quotebot.retrieval.index.cache_location import cache_folders
from quotebot.retrieval.index.corpus_index import CorpusIndex
from quotebot.retrieval.index.passage_table import PassageTable
from quotebot.retrieval.index.sentence_table import SentenceTable
from quotebot.retrieval.index.tokens import WordTable, analysed_words, consult
from quotebot.retrieval.ingest.durable import replacing
from quotebot.retrieval.ingest.loader import CorpusError, FileStamp, parse_document
from quotebot.retrieval.ingest.models import Document

log = logging.getLogger(__name__)

FORMAT_VERSION = 4
CACHE_FILE = "index.qbi"
MAGIC = b"QBINDEX\x00"
# MAGIC, then where the manifest starts and its length.
HEAD_SIZE = len(MAGIC) + 16
ALIGNMENT = 64
# What analysis produces (terms, stems, sentences, passages, the index's arrays) is version
# ANALYSIS_VERSION: a change that alters it bumps this, and tests/retrieval/index/test_analysis_version.py
# fails when the output of a fixed corpus changes while the number stays.
ANALYSIS_VERSION = 1
# Array name to the dtypes it may have (the narrowest that holds its values is saved); anything else is refused.
ARRAYS: dict[str, tuple[str, ...]] = {
    "bm25_offsets": ("<i8",),
    "bm25_passage_ids": ("<i4",),
    "bm25_frequencies": COUNT_TYPES,
    "bm25_lengths": ("<i4",),
    "bm25_approximate": ("<f4",),
    "document_offsets": ("<i8",),
    "passage_starts": ("<i8",),
    "passage_ends": ("<i8",),
    "passage_paragraphs": ("<i8",),
    "passage_sections": ("<i8",),
    "sentence_passage_offsets": ("<i8",),
    "sentence_starts": ("<i4",),
    "sentence_ends": ("<i4",),
    "sentence_term_offsets": ("<i8",),
    "sentence_term_ids": ("<u2", "<i4"),
    "terms": ("u1",),
    "words": ("u1",),
}
SENTENCE_PREFIX = "sentence_"
# A file modified this close to the scan that recorded it may change again within the
# file system's time resolution without its stamp changing: such stamps are not trusted.
RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class SavedIndex:
    """An index read from its cache, and the file stamps its documents can be trusted to match."""

    index: CorpusIndex
    stamps: dict[str, tuple[int, int, int]]


def cache_paths(folder: Path) -> list[Path]:
    """Where the saved index of the corpus in ``folder`` may be, in the order they are tried (``cache_location``)."""
    return [location / CACHE_FILE for location in cache_folders(folder)]


@lru_cache(maxsize=1)
def analysis_key() -> str:
    """The analysis version with the versions of the libraries it relies on (nltk's stemmer, regex)."""
    return f"analysis {ANALYSIS_VERSION}; nltk {_nltk_version()}; regex {regex.__version__}"


def _nltk_version() -> str:
    """nltk's version (its stemmer is part of the analysis) without importing nltk, which takes ~0.3 s."""
    spec = importlib.util.find_spec("nltk")
    version_file = Path(spec.origin).parent / "VERSION" if spec and spec.origin else None
    if version_file is not None and version_file.is_file():
        return version_file.read_text(encoding="utf-8").strip()
    from importlib.metadata import version

    return version("nltk")


def stamp_key(stamp: FileStamp) -> tuple[int, int, int]:
    return (stamp.size, stamp.modified_ns, stamp.changed_ns)


def load_index(folder: Path) -> SavedIndex | None:
    """The saved index of the corpus in ``folder`` from the first place that has one to trust, or ``None``."""
    for path in cache_paths(folder):
        if not path.is_file():
            continue
        try:
            saved = _read(path, folder)
        except Exception as error:  # noqa: BLE001 - a damaged file can fail in any parser; all mean "rebuild"
            log.warning("ignoring index cache %s: %s", path, error)
            continue
        if saved is not None:
            return saved
    return None


def trusted_stamps(stamps: Sequence[FileStamp], scanned_ns: int) -> dict[str, tuple[int, int, int]]:
    """The stamps, scanned at ``scanned_ns``, that will tell a later change: none of a file changed just before."""
    return {
        stamp.document_id: stamp_key(stamp)
        for stamp in stamps
        if stamp.modified_ns < scanned_ns - RACY_NS and stamp.changed_ns < scanned_ns - RACY_NS
    }


def save_index(folder: Path, index: CorpusIndex, stamps: dict[str, tuple[int, int, int]]) -> bool:
    """Write ``index`` atomically to the first place that takes it; ``False`` (logged) when none does.

    ``stamps`` are the trusted stamps of the documents' files (``trusted_stamps``), as they were before
    the files were read. A cache that cannot be written only costs speed at the next start, never an answer.
    """
    paths = cache_paths(folder)
    for path in paths:
        if _write(path, index, stamps):
            if path != paths[0]:
                log.info("index cache of %s saved in %s (the corpus folder cannot hold it)", folder, path.parent)
            return True
    log.warning("cannot write an index cache for %s; the corpus will be indexed again next start", folder)
    return False


def _write(path: Path, index: CorpusIndex, stamps: dict[str, tuple[int, int, int]]) -> bool:
    """Arrays, then bodies (one at a time: a large corpus's text is not copied whole), then the manifest."""
    try:
        arrays = _arrays(index)
        with replacing(path, temporary_prefix=".index-") as handle:
            handle.write(bytes(HEAD_SIZE))
            layout = {}
            for name, array in arrays.items():
                layout[name] = _aligned(handle.tell())
                handle.seek(layout[name])
                handle.write(np.ascontiguousarray(array).data)
            bodies = []
            for document in index.documents:
                body = document.body.encode("utf-8")
                bodies.append([handle.tell(), len(body), len(document.body), hashlib.sha256(body).hexdigest()])
                handle.write(body)
            manifest = _manifest(index, arrays, layout, stamps, bodies)
            manifest_offset = handle.tell()
            handle.write(manifest + hashlib.sha256(manifest).digest())
            handle.seek(0)
            handle.write(MAGIC + struct.pack("<QQ", manifest_offset, len(manifest)))
        return True
    except OSError as error:
        log.info("cannot write index cache %s (%s)", path, error)
        return False


def _aligned(offset: int) -> int:
    return -(-offset // ALIGNMENT) * ALIGNMENT


def _arrays(index: CorpusIndex) -> dict[str, np.ndarray]:
    bm25, passages = index.bm25, index.passages
    arrays = {
        "bm25_offsets": bm25.offsets,
        "bm25_passage_ids": bm25.passage_ids,
        "bm25_frequencies": bm25.frequencies,
        "bm25_lengths": bm25.lengths,
        "bm25_approximate": bm25.approximate,
        "document_offsets": passages.document_offsets,
        "passage_starts": passages.starts,
        "passage_ends": passages.ends,
        "passage_paragraphs": passages.paragraphs,
        "passage_sections": passages.section_ids,
        **{SENTENCE_PREFIX + name: array for name, array in index.sentences.arrays().items()},
        "terms": _text_array("\n".join(bm25.terms)),
        "words": _text_array(WordTable.of(analysed_words()).text),
    }
    return {name: narrowest(array, ARRAYS[name]) for name, array in arrays.items()}


def _text_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _manifest(
    index: CorpusIndex,
    arrays: dict[str, np.ndarray],
    layout: dict[str, int],
    stamps: dict[str, tuple[int, int, int]],
    bodies: list[list[int | str]],
) -> bytes:
    documents = [
        {
            "id": document.id,
            "title": document.title,
            "author": document.author,
            "publication": document.publication,
            "publisher": document.publisher,
            "url": document.url,
            "date": document.date,
            "extra": document.extra,
            "fingerprint": document.fingerprint,
            "stamp": stamps.get(document.id),
            "body": body,
        }
        for document, body in zip(index.documents, bodies)
    ]
    manifest = {
        "format": FORMAT_VERSION,
        "analysis": analysis_key(),
        "k1": index.bm25.k1,
        "b": index.bm25.b,
        "sections": list(index.passages.sections),
        "documents": documents,
        "arrays": {
            name: {"dtype": array.dtype.str, "shape": list(array.shape), "offset": layout[name], "crc32": _crc(array)}
            for name, array in arrays.items()
        },
    }
    # ``default=str``: front matter may hold dates, which JSON lacks.
    return json.dumps(manifest, ensure_ascii=False, default=str).encode("utf-8")


def _crc(array: np.ndarray) -> int:
    return zlib.crc32(np.ascontiguousarray(array).data)


def _read(path: Path, folder: Path) -> SavedIndex | None:
    handle = path.open("rb")
    try:
        saved = _read_from(handle, path, folder)
    except BaseException:
        handle.close()
        raise
    if saved is None:
        handle.close()
    return saved


def _read_from(handle: BinaryIO, path: Path, folder: Path) -> SavedIndex | None:
    size = os.fstat(handle.fileno()).st_size
    head = handle.read(HEAD_SIZE)
    if len(head) != HEAD_SIZE or head[: len(MAGIC)] != MAGIC:
        raise ValueError("not an index cache")
    manifest_offset, manifest_length = struct.unpack("<QQ", head[len(MAGIC):])
    if not HEAD_SIZE <= manifest_offset <= size - manifest_length - 32:
        raise ValueError("truncated")
    handle.seek(manifest_offset)
    raw = handle.read(manifest_length)
    if hashlib.sha256(raw).digest() != handle.read(32):
        raise ValueError("manifest checksum mismatch")
    manifest = json.loads(raw)
    if (manifest.get("format"), manifest.get("analysis")) != (FORMAT_VERSION, analysis_key()):
        log.info("index cache %s is stale (format or analysis code changed); rebuilding", path)
        return None
    arrays = _read_arrays(handle, manifest["arrays"], manifest_offset)
    terms = _text(arrays.pop("terms")).split("\n") if len(arrays["terms"]) else []
    words = WordTable(_text(arrays.pop("words")))
    documents, body_lengths = _documents(manifest["documents"], _BodyReader(handle, folder), manifest_offset)
    bm25 = SparseBM25(
        terms=tuple(terms),
        offsets=arrays["bm25_offsets"],
        passage_ids=arrays["bm25_passage_ids"],
        frequencies=arrays["bm25_frequencies"],
        lengths=arrays["bm25_lengths"],
        k1=float(manifest["k1"]),
        b=float(manifest["b"]),
        approximate=arrays["bm25_approximate"],
    )
    bm25.validate()
    passages = _passages(documents, body_lengths, arrays, tuple(map(str, manifest["sections"])))
    if len(passages) != bm25.passage_count:
        raise ValueError("passage count differs from the index")
    sentences = SentenceTable.from_arrays(
        {name.removeprefix(SENTENCE_PREFIX): a for name, a in arrays.items() if name.startswith(SENTENCE_PREFIX)}
    )
    sentences.validate(passages.lengths(), len(bm25.terms))
    stamps = {entry["id"]: tuple(entry["stamp"]) for entry in manifest["documents"] if entry["stamp"] is not None}
    consult(words)
    return SavedIndex(CorpusIndex(passages, bm25, sentences), stamps)


def _read_arrays(handle: BinaryIO, entries: dict[str, Any], end: int) -> dict[str, np.ndarray]:
    """Every expected array, mapped from the file and checked against its CRC before anything reads its values.

    Mapped, not read: the arrays are the file's pages in the page cache, so a
    start neither copies 80 MB (100,000 passages) nor asks for fresh memory
    (which on a virtual machine can cost ten times the copy), and processes
    serving one corpus share one copy. The CRCs run on two threads (zlib frees
    the GIL). Mapping is safe against the file being replaced (the writer
    renames a new file into place; the mapping keeps the old one), not
    against it being truncated in place while mapped (reading a page past its
    end kills the process): only ``save_index`` writes it.
    """
    if set(entries) != set(ARRAYS):
        raise ValueError("unexpected contents")
    mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    arrays = {}
    for name, allowed in ARRAYS.items():
        entry = entries[name]
        dtype = np.dtype(str(entry["dtype"]))
        if dtype not in map(np.dtype, allowed):
            raise ValueError(f"array {name!r} has an unexpected type")
        shape = tuple(int(n) for n in entry["shape"])
        if len(shape) != 1 or shape[0] < 0:
            raise ValueError(f"array {name!r} has a bad shape")
        offset = int(entry["offset"])
        if not HEAD_SIZE <= offset <= min(end, len(mapped)) - shape[0] * dtype.itemsize:
            raise ValueError(f"array {name!r} lies outside the file")
        arrays[name] = np.frombuffer(mapped, dtype=dtype, count=shape[0], offset=offset)
    with ThreadPoolExecutor(max_workers=2) as pool:
        checks = dict(zip(arrays, pool.map(_crc, arrays.values())))
    for name, check in checks.items():
        if check != entries[name]["crc32"]:
            raise ValueError(f"array {name!r} does not match its checksum")
    return arrays


def _text(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")


def _documents(entries: list[dict[str, Any]], reader: _BodyReader, end: int) -> tuple[list[Document], list[int]]:
    """The documents, their bodies read on first use; and each body's length in characters."""
    documents, lengths = [], []
    for entry in entries:
        offset, length, characters, digest = entry["body"]
        if not (isinstance(offset, int) and isinstance(length, int) and HEAD_SIZE <= offset <= end - length):
            raise ValueError("a document's body lies outside the file")
        documents.append(
            Document(
                id=str(entry["id"]),
                title=str(entry["title"]),
                body=reader.body(offset, length, int(characters), str(digest), str(entry["id"]), str(entry["fingerprint"])),
                author=_optional(entry["author"]),
                publication=_optional(entry["publication"]),
                publisher=_optional(entry["publisher"]),
                url=_optional(entry["url"]),
                date=_optional(entry["date"]),
                extra=dict(entry["extra"]),
                fingerprint=str(entry["fingerprint"]),
            )
        )
        lengths.append(int(characters))
    return documents, lengths


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


class _BodyReader:
    """Reads document bodies from the open cache file when first asked, each checked against its SHA-256.

    The file stays open, so a newer cache moved into place meanwhile does not
    change what this index reads. A body that fails its check (the file was
    overwritten in place) is read from the corpus file instead when that
    still has the content the index was built from.
    """

    def __init__(self, handle: BinaryIO, folder: Path) -> None:
        self._handle = handle
        self._folder = folder
        self._lock = threading.Lock()

    def body(
        self, offset: int, length: int, characters: int, digest: str, document_id: str, fingerprint: str
    ) -> Callable[[], str]:
        def read() -> str:
            with self._lock:
                raw = os.pread(self._handle.fileno(), length, offset)
            text = raw.decode("utf-8", errors="replace")
            if hashlib.sha256(raw).hexdigest() == digest and len(text) == characters:
                return text
            log.warning("the saved index's copy of %s is damaged; reading the document", document_id)
            return self._from_corpus(document_id, fingerprint, characters)

        return read

    def _from_corpus(self, document_id: str, fingerprint: str, characters: int) -> str:
        try:
            document = parse_document(document_id, (self._folder / document_id).read_bytes())
        except (OSError, CorpusError):
            document = None
        if document is None or document.fingerprint != fingerprint or len(document.body) != characters:
            raise CorpusError(f"{document_id} changed since the corpus was loaded, and its saved copy is damaged; "
                              "reload the corpus")
        return document.body


def _passages(
    documents: list[Document], body_lengths: list[int], arrays: dict[str, np.ndarray], sections: tuple[str, ...]
) -> PassageTable:
    """The stored passage layout, after checking every offset lies inside its document."""
    document_offsets = arrays["document_offsets"]
    count = len(arrays["passage_starts"])
    if not (
        len(document_offsets) == len(documents) + 1
        and document_offsets[0] == 0
        and document_offsets[-1] == count
        and bool(np.all(np.diff(document_offsets) >= 0))
        and all(len(arrays[name]) == count for name in ("passage_ends", "passage_paragraphs", "passage_sections"))
    ):
        raise ValueError("passage layout does not match the documents")
    owners = np.repeat(np.arange(len(documents)), np.diff(document_offsets))
    starts, ends, section_ids = arrays["passage_starts"], arrays["passage_ends"], arrays["passage_sections"]
    limits = np.asarray(body_lengths, dtype=np.int64)[owners]
    if count and not (
        bool(np.all((0 <= starts) & (starts < ends) & (ends <= limits)))
        and -1 <= section_ids.min()
        and section_ids.max() < len(sections)
    ):
        raise ValueError("passage offsets fall outside their documents")
    return PassageTable(
        documents=tuple(documents),
        document_offsets=document_offsets,
        starts=starts,
        ends=ends,
        paragraphs=arrays["passage_paragraphs"],
        section_ids=section_ids,
        sections=sections,
    )
