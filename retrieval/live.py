"""The corpus currently being served, and safe replacement of it.

Front ends hold one ``LiveEngine``. Questions read whichever snapshot is
current; a reload builds the next snapshot completely before one assignment
swaps it in, so questions asked during a reload are answered from the old
corpus, and a reload that fails leaves the old corpus serving.

A reload first lists the corpus files with their sizes and times; a file
whose stamp is the one recorded when it was last read is not read again, its
document taken from the current snapshot or, at a start, from the saved index
(``index.cache``). Only new or changed files are read, and only documents
whose content changed are analysed (an incremental build); a built index is
saved for the next start.

With the semantic model, each snapshot also has its passages' vectors
(``PassageVectors``): found in the vector store for unchanged passages,
computed at once for a small corpus, and otherwise by the process's embedding
worker while the snapshot already serves (``embedding_scheduler``), which one
scheduler shares between every corpus of a process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from quotebot.retrieval.answer.engine import DEFAULT_TOP_K, QuoteEngine, analyse_built_in_words
from quotebot.retrieval.answer.models import Answer
from quotebot.retrieval.index.cache import load_index, save_index, stamp_key, trusted_stamps
from quotebot.retrieval.index.corpus_index import CorpusIndex, build_index
from quotebot.retrieval.index.embedding import TextEmbedder
from quotebot.retrieval.index.embedding_scheduler import EmbeddingScheduler
from quotebot.retrieval.index.passage_vectors import PassageVectors
from quotebot.retrieval.index.vector_store import VectorStore
from quotebot.retrieval.ingest.loader import CorpusError, FileProblem, load_files, scan_folder
from quotebot.retrieval.ingest.models import Document


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
    (``corpus check`` reports them without computing any). ``scheduler`` is the
    process's embedding worker when several corpora share one; without it the
    engine has its own.
    """

    def __init__(
        self,
        folder: Path,
        embedder: TextEmbedder | None = None,
        *,
        embed_missing: bool = True,
        save_in_background: bool = False,
        scheduler: EmbeddingScheduler | None = None,
    ) -> None:
        """``save_in_background``: a built index is saved after ``load``/``reload`` returns, so a command that
        answers once and exits answers sooner; otherwise the saved index is on disk when they return."""
        self.folder = folder
        self.embedder = embedder
        self.embed_missing = embed_missing
        self.save_in_background = save_in_background
        self._own_scheduler = scheduler is None
        #: The embedding worker this engine's corpus is embedded by (its own, unless one was given).
        self.scheduler = scheduler or EmbeddingScheduler()
        self._key = str(folder)
        self._engine: QuoteEngine | None = None
        # The current snapshot's documents' file stamps that were recorded before the file was read.
        self._stamps: dict[str, tuple[int, int, int]] = {}
        self._reload_lock = threading.Lock()
        self._saving: threading.Thread | None = None
        self._store: VectorStore | None = None

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
            scanned_ns = time.time_ns()
            stamps = scan_folder(self.folder)
            current = self._engine
            previous, recorded = (current.corpus, self._stamps) if current else self._saved()
            unchanged = {stamp.document_id for stamp in stamps if recorded.get(stamp.document_id) == stamp_key(stamp)}
            known = [document for document in previous.documents if document.id in unchanged] if previous else []
            report = load_files(self.folder, stamps, known)
            trusted = trusted_stamps(stamps, scanned_ns)
            try:
                index = self._index(report.documents, previous, trusted, recorded)
            except ValueError as error:
                raise CorpusError(str(error)) from None
            engine = QuoteEngine(index, self._vectors(index, current))
            self._engine = engine
            if self.embed_missing and engine.vectors is not None and not engine.vectors.complete:
                self.scheduler.follow(self._key, engine.vectors)
            self._stamps = {document.id: trusted[document.id] for document in index.documents if document.id in trusted}
            added, removed, changed = diff_documents(current.documents if current else (), index.documents)
            return ReloadReport(
                added=added,
                removed=removed,
                changed=changed,
                documents=len(index.documents),
                passages=len(index.passages),
                seconds=time.perf_counter() - started,
                problems=report.problems,
            )

    def ask(self, question: str, top_k: int = DEFAULT_TOP_K) -> Answer:
        engine = self.engine
        with self.scheduler.answering():
            answer = engine.ask(question, top_k)
        if engine.vectors is not None and not engine.vectors.complete:
            self.scheduler.asked(self._key)
        return answer

    def passages_per_document(self) -> dict[str, int]:
        """Each served document's id and its number of passages."""
        corpus = self.engine.corpus
        counts = np.diff(corpus.passages.document_offsets).tolist()
        return {document.id: count for document, count in zip(corpus.documents, counts)}

    @property
    def embedding_progress(self) -> EmbeddingProgress | None:
        """Passages of the served corpus with vectors, or ``None`` when the semantic model is off."""
        vectors = self._engine.vectors if self._engine is not None else None
        return None if vectors is None else EmbeddingProgress(vectors.ready_count, vectors.total)

    def wait_for_vectors(self, timeout: float | None = None) -> bool:
        """Block until every passage of the served corpus has vectors (``False`` on timeout)."""
        progress = self.embedding_progress
        return progress is None or progress.complete or self.scheduler.wait(self._key, timeout)

    def embed_all(self, progress: Callable[[int, int], None], every: float = 0.5) -> None:
        """Compute every missing vector of the served corpus now, on every core, calling ``progress(ready, total)``
        about every ``every`` seconds."""
        vectors = self.engine.vectors
        if vectors is None:
            return
        progress(vectors.ready_count, vectors.total)
        if vectors.complete:
            return
        self.scheduler.follow(self._key, vectors)
        while not self.scheduler.wait(self._key, timeout=every):
            progress(vectors.ready_count, vectors.total)
        progress(vectors.ready_count, vectors.total)

    def close(self) -> None:
        """Stop embedding this corpus and save the vectors computed so far."""
        if self._own_scheduler:
            self.scheduler.stop()
        else:
            self.scheduler.forget(self._key)
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

    def _saved(self) -> tuple[CorpusIndex | None, dict[str, tuple[int, int, int]]]:
        saved = load_index(self.folder)
        return (saved.index, saved.stamps) if saved else (None, {})

    def _index(
        self,
        documents: tuple[Document, ...],
        previous: CorpusIndex | None,
        trusted: dict[str, tuple[int, int, int]],
        recorded: dict[str, tuple[int, int, int]],
    ) -> CorpusIndex:
        """The index of ``documents``, built only for what neither the current snapshot nor the cache has.

        The cache is written again when the index changed, or when stamps
        that were too recent to trust then can be trusted now.
        """
        if previous is not None and _same_documents(previous.documents, documents):
            if _trusted_for(trusted, documents) != _trusted_for(recorded, documents):
                self._save(previous, _trusted_for(trusted, documents))
            return previous
        index = build_index(documents, previous)
        self._save(index, _trusted_for(trusted, documents))
        return index

    def wait_until_saved(self) -> None:
        """Return once the index built last is saved (``save_in_background``)."""
        saving = self._saving
        if saving is not None:
            saving.join()

    def _save(self, index: CorpusIndex, stamps: dict[str, tuple[int, int, int]]) -> None:
        """Save ``index``, at once or on a thread of its own (``save_in_background``).

        Background saves run one after another; the thread is not a daemon, so
        a process that answers and exits still leaves the saved index behind.
        """
        analyse_built_in_words()  # so that the saved word table spares a restart the stemmer
        if not self.save_in_background:
            save_index(self.folder, index, stamps)
            return
        earlier = self._saving

        def save() -> None:
            if earlier is not None:
                earlier.join()
            save_index(self.folder, index, stamps)

        self._saving = threading.Thread(target=save, name="quotebot-save-index")
        self._saving.start()


def _trusted_for(stamps: dict[str, tuple[int, int, int]], documents: tuple[Document, ...]) -> dict[str, tuple[int, int, int]]:
    return {document.id: stamps[document.id] for document in documents if document.id in stamps}


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
