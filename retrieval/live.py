"""The corpus currently being served, and safe replacement of it.

Front ends hold one ``LiveEngine``. Questions read whichever snapshot is
current; a reload builds the next snapshot completely before one assignment
swaps it in, so questions asked during a reload are answered from the old
corpus, and a reload that fails leaves the old corpus serving.

A snapshot comes, cheapest first, from the current one (nothing changed),
from the index cache beside the corpus (a restart), or from an incremental
build that re-tokenizes only the changed documents; a built index is saved
to the cache for the next start.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from quotebot.retrieval.answer.engine import DEFAULT_TOP_K, QuoteEngine, Reranker
from quotebot.retrieval.index.cache import load_index, save_index
from quotebot.retrieval.index.corpus_index import CorpusIndex, build_index
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


class LiveEngine:
    """Thread-safe holder of the current ``QuoteEngine`` for one corpus folder."""

    def __init__(self, folder: Path, reranker: Reranker | None = None) -> None:
        self.folder = folder
        self.reranker = reranker
        self._engine: QuoteEngine | None = None
        self._reload_lock = threading.Lock()

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
                engine = QuoteEngine(self._index(report.documents, current.corpus if current else None), self.reranker)
            except ValueError as error:
                raise CorpusError(str(error)) from None
            self._engine = engine
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
