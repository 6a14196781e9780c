"""The built index saved (beside the corpus, or per ``cache_location``), so an unchanged corpus starts in a second.

A cache file is untrusted input: anyone who can write to the corpus folder
can write it. It is therefore plain data only: one ``.npz`` of numeric arrays
read with ``allow_pickle=False`` (so it cannot run code) and a JSON manifest
stored in it as bytes. It is used only when every check passes: the format
version, a hash of the analysis code (a change to tokenizing or splitting
makes old caches stale), the exact documents (ids and content hashes, so a
cache from another corpus or from before an edit is refused), a SHA-256 of
the manifest and of every array, and the index's own consistency
(``SparseBM25.validate``, passage offsets within their documents). Anything
else means "no cache": the index is rebuilt and the file rewritten.

Passage texts are not stored: they are slices of the documents, which are
read anyway, at the stored offsets, taken only when a passage is read. Each
passage's sentences (spans and term ids, ``SentenceTable``) are stored, so
answering never splits or analyses text again.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

import nltk
import numpy as np

from quotebot.retrieval.index.bm25 import SparseBM25
from quotebot.retrieval.index.cache_location import cache_folders
from quotebot.retrieval.index.checked_arrays import read_arrays, write_arrays
from quotebot.retrieval.index.corpus_index import CorpusIndex
from quotebot.retrieval.index.sentence_table import SentenceTable
from quotebot.retrieval.ingest.models import Document, Passage

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
CACHE_FILE = "index.npz"
# Every module whose code decides what the index holds; tests check that this
# covers all the retrieval modules that ``corpus_index`` imports.
ANALYSIS_MODULES = (
    "quotebot.retrieval.index.bm25",
    "quotebot.retrieval.index.corpus_index",
    "quotebot.retrieval.index.fields",
    "quotebot.retrieval.index.sentence_table",
    "quotebot.retrieval.ingest.models",
    "quotebot.retrieval.ingest.passages",
    "quotebot.retrieval.ingest.sentences",
    "quotebot.retrieval.index.stopwords",
    "quotebot.retrieval.index.tokens",
)
# Array name to the dtype it must have; anything else in the file is refused.
ARRAYS = {
    "offsets": np.dtype(np.int64),
    "passage_ids": np.dtype(np.int32),
    "frequencies": np.dtype(np.int32),
    "lengths": np.dtype(np.int32),
    "document_offsets": np.dtype(np.int64),
    "starts": np.dtype(np.int64),
    "ends": np.dtype(np.int64),
    "paragraphs": np.dtype(np.int64),
    "sections": np.dtype(np.int64),
    "sentence_passage_offsets": np.dtype(np.int64),
    "sentence_starts": np.dtype(np.int32),
    "sentence_ends": np.dtype(np.int32),
    "sentence_term_offsets": np.dtype(np.int64),
    "sentence_term_ids": np.dtype(np.int32),
}
SENTENCE_PREFIX = "sentence_"


def cache_paths(folder: Path) -> list[Path]:
    """Where the saved index of the corpus in ``folder`` may be, in the order they are tried (``cache_location``)."""
    return [location / CACHE_FILE for location in cache_folders(folder)]


@lru_cache(maxsize=1)
def analysis_hash() -> str:
    """SHA-256 over the source of the analysis modules and the nltk version they rely on."""
    digest = hashlib.sha256(f"nltk {nltk.__version__}\n".encode())
    for name in ANALYSIS_MODULES:
        source = importlib.import_module(name).__file__
        digest.update(f"{name}\n".encode())
        digest.update(Path(str(source)).read_bytes())
    return digest.hexdigest()


def cache_key(documents: Sequence[Document]) -> dict[str, Any]:
    """What a cache must have been built from to be used for ``documents``."""
    return {
        "format": FORMAT_VERSION,
        "analysis": analysis_hash(),
        "documents": [[document.id, document.fingerprint] for document in documents],
    }


def load_index(folder: Path, documents: Sequence[Document]) -> CorpusIndex | None:
    """The cached index of ``documents`` from the first place that has one to trust, or ``None``."""
    for path in cache_paths(folder):
        if not path.is_file():
            continue
        try:
            index = _read(path, documents)
        except Exception as error:  # noqa: BLE001 - a damaged file can fail in any parser; all mean "rebuild"
            log.warning("ignoring index cache %s: %s", path, error)
            continue
        if index is not None:
            return index
    return None


def save_index(folder: Path, index: CorpusIndex) -> bool:
    """Write ``index`` atomically to the first place that takes it; ``False`` (logged) when none does.

    A cache that cannot be written only costs speed at the next start, never an answer.
    """
    paths = cache_paths(folder)
    for path in paths:
        if _write(path, index):
            if path != paths[0]:
                log.info("index cache of %s saved in %s (the corpus folder cannot hold it)", folder, path.parent)
            return True
    log.warning("cannot write an index cache for %s; the corpus will be indexed again next start", folder)
    return False


def _write(path: Path, index: CorpusIndex) -> bool:
    sections = list(dict.fromkeys(p.section for p in index.passages if p.section is not None))
    try:
        write_arrays(path, _manifest(index, sections), _arrays(index, sections))
        return True
    except OSError as error:
        log.info("cannot write index cache %s (%s)", path, error)
        return False


def _arrays(index: CorpusIndex, sections: list[str]) -> dict[str, np.ndarray]:
    section_ids = {section: i for i, section in enumerate(sections)}
    bm25 = index.bm25
    return {
        "offsets": bm25.offsets,
        "passage_ids": bm25.passage_ids,
        "frequencies": bm25.frequencies,
        "lengths": bm25.lengths,
        "document_offsets": np.asarray(index.document_offsets, dtype=np.int64),
        "starts": np.fromiter((p.start for p in index.passages), np.int64, len(index.passages)),
        "ends": np.fromiter((p.end for p in index.passages), np.int64, len(index.passages)),
        "paragraphs": np.fromiter((p.paragraph for p in index.passages), np.int64, len(index.passages)),
        "sections": np.fromiter(
            (-1 if p.section is None else section_ids[p.section] for p in index.passages), np.int64, len(index.passages)
        ),
        **{SENTENCE_PREFIX + name: array for name, array in index.sentences.arrays().items()},
    }


def _manifest(index: CorpusIndex, sections: list[str]) -> dict[str, Any]:
    return {
        **cache_key(index.documents),
        "k1": index.bm25.k1,
        "b": index.bm25.b,
        "terms": list(index.bm25.terms),
        "passage_ids": [passage.id for passage in index.passages],
        "sections": sections,
    }


def _read(path: Path, documents: Sequence[Document]) -> CorpusIndex | None:
    key = cache_key(documents)
    found = read_arrays(path, ARRAYS, lambda manifest: {name: manifest.get(name) for name in key} == key)
    if found is None:
        log.info("index cache %s is stale (corpus or code changed); rebuilding", path)
        return None
    manifest, arrays = found
    bm25 = SparseBM25(
        terms=tuple(manifest["terms"]),
        offsets=arrays["offsets"],
        passage_ids=arrays["passage_ids"],
        frequencies=arrays["frequencies"],
        lengths=arrays["lengths"],
        k1=float(manifest["k1"]),
        b=float(manifest["b"]),
    )
    bm25.validate()
    passages = _passages(documents, arrays, manifest["passage_ids"], manifest["sections"])
    if len(passages) != bm25.passage_count:
        raise ValueError("passage count differs from the index")
    sentences = SentenceTable.from_arrays(
        {name.removeprefix(SENTENCE_PREFIX): a for name, a in arrays.items() if name.startswith(SENTENCE_PREFIX)}
    )
    sentences.validate(arrays["ends"] - arrays["starts"], len(bm25.terms))
    return CorpusIndex(tuple(documents), passages, bm25, sentences, tuple(arrays["document_offsets"].tolist()))


def _passages(
    documents: Sequence[Document], arrays: dict[str, np.ndarray], ids: list[str], sections: list[str]
) -> PassageTable:
    """The stored passage layout, after checking every offset lies inside its document."""
    document_offsets = arrays["document_offsets"]
    count = len(ids)
    if not (
        len(document_offsets) == len(documents) + 1
        and document_offsets[0] == 0
        and document_offsets[-1] == count
        and bool(np.all(np.diff(document_offsets) >= 0))
        and all(len(arrays[name]) == count for name in ("starts", "ends", "paragraphs", "sections"))
    ):
        raise ValueError("passage layout does not match the documents")
    owners = np.repeat(np.arange(len(documents)), np.diff(document_offsets))
    body_lengths = np.fromiter((len(d.body) for d in documents), np.int64, len(documents))
    starts, ends, section_ids = arrays["starts"], arrays["ends"], arrays["sections"]
    if count and not (
        bool(np.all((0 <= starts) & (starts <= ends) & (ends <= body_lengths[owners])))
        and -1 <= section_ids.min()
        and section_ids.max() < len(sections)
    ):
        raise ValueError("passage offsets fall outside their documents")
    return PassageTable(
        documents=tuple(documents),
        ids=ids,
        owners=owners.tolist(),
        sections=[*sections, None],
        section_ids=section_ids.tolist(),
        paragraphs=arrays["paragraphs"].tolist(),
        starts=starts.tolist(),
        ends=ends.tolist(),
    )


@dataclass(frozen=True, eq=False)
class PassageTable(Sequence[Passage]):
    """Passages kept as columns and made into ``Passage`` values when read.

    A 100k-passage corpus would spend a large share of its start-up budget
    creating passage objects that no question ever reads; here creating one
    costs a slice of its document's body, when it is asked for.
    """

    documents: tuple[Document, ...]
    ids: list[str]
    owners: list[int]
    sections: list[str | None]  # section_ids index it; -1 (the last entry) is "no section"
    section_ids: list[int]
    paragraphs: list[int]
    starts: list[int]
    ends: list[int]

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, position: int) -> Passage: ...

    @overload
    def __getitem__(self, position: slice) -> tuple[Passage, ...]: ...

    def __getitem__(self, position: int | slice) -> Passage | tuple[Passage, ...]:
        if isinstance(position, slice):
            return tuple(self._passage(i) for i in range(len(self))[position])
        return self._passage(range(len(self))[position])

    def _passage(self, i: int) -> Passage:
        document = self.documents[self.owners[i]]
        start, end = self.starts[i], self.ends[i]
        return Passage(
            id=self.ids[i],
            document=document,
            section=self.sections[self.section_ids[i]],
            paragraph=self.paragraphs[i],
            start=start,
            end=end,
            text=document.body[start:end],
        )
