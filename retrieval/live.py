"""The corpus currently being served, and safe replacement of it.

Front ends hold one ``LiveEngine``. Questions read whichever snapshot is
current; a reload builds the next snapshot completely before one assignment
swaps it in, so questions asked during a reload are answered from the old
corpus, and a reload that fails leaves the old corpus serving.

A snapshot comes, cheapest first, from the current one (nothing changed),
from the index cache beside the corpus (a restart), or from an incremental
build that re-tokenizes only the changed documents; a built index is saved
to the cache for the next start.

With the semantic model, each snapshot also has its passages' vectors
(``PassageVectors``): found in the vector store for unchanged passages,
computed at once for a small corpus, and otherwise by one background thread
while the snapshot already serves (``background_embedding``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from quotebot.retrieval.answer.engine import DEFAULT_TOP_K, QuoteEngine
from quotebot.retrieval.index.background_embedding import SAVE_EVERY_PASSAGES, BackgroundEmbedding
from quotebot.retrieval.index.cache import load_index, save_index
from quotebot.retrieval.index.corpus_index import CorpusIndex, build_index
from quotebot.retrieval.index.embedding import TextEmbedder
from quotebot.retrieval.index.passage_vectors import PassageVectors
from quotebot.retrieval.index.vector_store import VectorStore
from quotebot.retrieval.ingest.loader import CorpusError, FileProblem, load_folder
from quotebot.retrieval.ingest.models import Answer, Document


@dataclass(frozen=True)
class ReloadReport:
    """What a (re)load changed, for the moderator who asked for it."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    documents: int
    passages: int
    seconds: float
    problems: tuple[FileProblem, ...]

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)


# A corpus with at most this many passages lacking vectors is embedded before it serves (a few seconds, once).
EMBED_BEFORE_SERVING = 64


@dataclass(frozen=True)
class EmbeddingProgress:
    """How many of the served snapshot's passages have vectors."""

    ready: int
    total: int

    @property
    def complete(self) -> bool:
        return self.ready >= self.total


class LiveEngine:
    """Thread-safe holder of the current ``QuoteEngine`` for one corpus folder.

    ``embedder`` turns the semantic path on; without it answers use words
    alone. With ``embed_missing`` false, vectors are only read from the store
    (``corpus check`` reports them without computing any).
    """

    def __init__(self, folder: Path, embedder: TextEmbedder | None = None, *, embed_missing: bool = True) -> None:
        self.folder = folder
        self.embedder = embedder
        self.embed_missing = embed_missing
        self._engine: QuoteEngine | None = None
        self._reload_lock = threading.Lock()
        self._store: VectorStore | None = None
        self._background = BackgroundEmbedding()

    @property
    def engine(self) -> QuoteEngine:
        engine = self._engine
        if engine is None:
            raise CorpusError("the corpus has not been loaded yet")
        return engine

    def load(self) -> ReloadReport:
        """The first load; the same as a reload with nothing to compare against."""
        return self.reload()

    def reload(self) -> ReloadReport:
        """Re-read the folder and swap in a new snapshot; raise ``CorpusError`` and keep the old one on failure."""
        with self._reload_lock:
            started = time.perf_counter()
            report = load_folder(self.folder)
            current = self._engine
            old = current.documents if current else ()
            try:
                index = self._index(report.documents, current.corpus if current else None)
            except ValueError as error:
                raise CorpusError(str(error)) from None
            engine = QuoteEngine(index, self._vectors(index, current))
            self._engine = engine
            if self.embed_missing and engine.vectors is not None and not engine.vectors.complete:
                self._background.follow(engine.vectors)
            added, removed, changed = diff_documents(old, engine.documents)
            return ReloadReport(
                added=added,
                removed=removed,
                changed=changed,
                documents=len(engine.documents),
                passages=len(engine.passages),
                seconds=time.perf_counter() - started,
                problems=report.problems,
            )

    def ask(self, question: str, top_k: int = DEFAULT_TOP_K) -> Answer:
        return self.engine.ask(question, top_k)

    @property
    def embedding_progress(self) -> EmbeddingProgress | None:
        """Passages of the served corpus with vectors, or ``None`` when the semantic model is off."""
        vectors = self._engine.vectors if self._engine is not None else None
        return None if vectors is None else EmbeddingProgress(vectors.ready_count, vectors.total)

    def wait_for_vectors(self, timeout: float | None = None) -> bool:
        """Block until every passage of the served corpus has vectors (``False`` on timeout)."""
        progress = self.embedding_progress
        return progress is None or progress.complete or self._background.wait(timeout)

    def embed_all(self, progress: Callable[[int, int], None], batch: int = 16) -> None:
        """Compute every missing vector of the served corpus now, calling ``progress(ready, total)`` as it goes."""
        vectors = self.engine.vectors
        if vectors is None:
            return
        progress(vectors.ready_count, vectors.total)
        while missing := vectors.missing(limit=batch):
            vectors.ensure(missing)
            if vectors.ready_count % SAVE_EVERY_PASSAGES < batch:
                vectors.store.flush()
            progress(vectors.ready_count, vectors.total)
        vectors.store.flush()
        vectors.store.compact(vectors.digests)

    def close(self) -> None:
        """Stop embedding in the background and save the vectors computed so far."""
        self._background.stop()
        if self._store is not None:
            self._store.flush()

    def _vectors(self, index: CorpusIndex, current: QuoteEngine | None) -> PassageVectors | None:
        """The new snapshot's vectors: reused, found in the store, or computed now for a small corpus."""
        if self.embedder is None:
            return None
        if current is not None and current.vectors is not None and current.corpus is index:
            return current.vectors
        if self._store is None:
            self._store = VectorStore.for_corpus(self.folder, self.embedder.identity, self.embedder.dimension)
        vectors = PassageVectors(index.passages, self._store, self.embedder)
        missing = vectors.missing(limit=EMBED_BEFORE_SERVING + 1)
        if self.embed_missing and len(missing) <= EMBED_BEFORE_SERVING:
            vectors.ensure(missing)
            self._store.flush()
        return vectors

    def _index(self, documents: tuple[Document, ...], previous: CorpusIndex | None) -> CorpusIndex:
        """The index of ``documents``, built only when neither the current one nor the cache has it."""
        if previous is not None and _same_documents(previous.documents, documents):
            return previous
        cached = load_index(self.folder, documents)
        if cached is not None:
            return cached
        index = build_index(documents, previous)
        save_index(self.folder, index)
        return index


def _same_documents(old: tuple[Document, ...], new: tuple[Document, ...]) -> bool:
    return [(d.id, d.fingerprint) for d in old] == [(d.id, d.fingerprint) for d in new]


def diff_documents(
    old: tuple[Document, ...], new: tuple[Document, ...]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Document ids added, removed and changed (by content fingerprint) between two corpora."""
    before = {document.id: document.fingerprint for document in old}
    after = {document.id: document.fingerprint for document in new}
    added = tuple(sorted(after.keys() - before.keys()))
    removed = tuple(sorted(before.keys() - after.keys()))
    changed = tuple(sorted(key for key in after.keys() & before.keys() if after[key] != before[key]))
    return added, removed, changed
