"""The shared corpus and the named ones, each loaded when first needed and kept in a bounded LRU.

A process may be asked about thousands of named corpora, but only a few are
active at once, so memory follows activity: a named corpus is loaded on its
first question or change, from its saved index when the documents have not
changed since (a warm load: read, not rebuilt), and the least recently used
one is dropped when more than ``capacity`` are loaded. Dropping only forgets
the index; the files stay, and the next question loads them again.

A name whose folder holds no documents is remembered as such, so the many
names that never get documents of their own cost no disk access per
question. That is sound because only this library writes those folders
(``change``) in this process, and several processes never serve the same
name: the front end gives each name to exactly one of them.

Every method may be called from any thread. Loads and changes of one name
are serialised; those of different names run side by side, except that names
whose hashes share one of ``LOCK_STRIPES`` locks wait for each other.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from quotebot.retrieval.answer.engine import DEFAULT_TOP_K
from quotebot.retrieval.answer.models import Answer
from quotebot.retrieval.index.embedding import TextEmbedder
from quotebot.retrieval.ingest.durable import make_folder
from quotebot.retrieval.ingest.loader import has_documents
from quotebot.retrieval.ingest.store import before_writing
from quotebot.retrieval.library.combine import better_supported
from quotebot.retrieval.library.limits import CorpusLimits
from quotebot.retrieval.live import LiveEngine, ReloadReport

log = logging.getLogger(__name__)

LOCK_STRIPES = 64
_UNKNOWN = object()


class CorpusLibrary:
    """``shared`` (loaded by its owner, always served) plus named corpora in the folders ``folder_of`` names.

    Every named corpus is embedded by ``shared``'s embedding worker: one per process. Named corpora are held
    to ``limits`` (``change``); the shared one is not.
    """

    def __init__(
        self,
        shared: LiveEngine,
        folder_of: Callable[[str], Path],
        *,
        capacity: int,
        embedder: TextEmbedder | None = None,
        limits: CorpusLimits | None = None,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.shared = shared
        self.capacity = capacity
        self._folder_of = folder_of
        self._embedder = embedder
        self.scheduler = shared.scheduler
        self.limits = limits or CorpusLimits()
        self._loaded: OrderedDict[str, LiveEngine] = OrderedDict()
        self._without_documents: set[str] = set()
        self._lock = threading.Lock()
        self._stripes = tuple(threading.Lock() for _ in range(LOCK_STRIPES))

    def folder(self, name: str) -> Path:
        """The folder of the named corpus (it may not exist yet)."""
        return self._folder_of(name)

    def loaded_names(self) -> tuple[str, ...]:
        """The named corpora in memory, least recently used first."""
        with self._lock:
            return tuple(self._loaded)

    def in_memory(self, name: str) -> bool:
        """Whether ``engine(name)`` answers at once: loaded, or known to have no documents."""
        with self._lock:
            return name in self._loaded or name in self._without_documents

    def engine(self, name: str) -> LiveEngine | None:
        """The named corpus, loaded now if it is not in memory; ``None`` when its folder holds no documents.

        Raises ``CorpusError`` when it has documents but none of them loads.
        """
        known = self._known(name)
        if known is not _UNKNOWN:
            return known  # type: ignore[return-value]
        with self._stripe(name):
            known = self._known(name)
            if known is not _UNKNOWN:
                return known  # type: ignore[return-value]
            return self._load(name)

    def ask(self, name: str | None, question: str, top_k: int = DEFAULT_TOP_K, *, include_shared: bool = True) -> Answer:
        """Answer from the named corpus (and the shared one too when ``include_shared``), or from the shared
        one alone when ``name`` is ``None`` or its corpus has no documents."""
        own = self.engine(name) if name is not None else None
        if own is None:
            return self.shared.ask(question, top_k)
        answer = own.ask(question, top_k)
        if not include_shared:
            return answer
        return better_supported(answer, self.shared.ask(question, top_k))

    def change(self, name: str, operation: Callable[[Path], object] | None = None) -> ReloadReport:
        """Run ``operation`` on the named corpus's folder (created if missing), then reload it.

        Every document the operation writes through ``ingest.store`` is held to the corpus's ``limits`` first,
        and ``OverLimit`` is raised, with nothing written, when it would take the corpus over one.

        The report compares with what was served before: for an operation on a
        corpus not in memory, its files as they were are loaded first; a plain
        reload of one not in memory reports every document as added. A folder
        left without documents (its last one removed) is reported as emptied,
        and questions go to the shared corpus again. Raises ``CorpusError``
        when the operation or the reload fails; whatever was served before
        keeps being served.
        """
        with self._stripe(name):
            known = self._known(name)
            if known is _UNKNOWN:
                known = self._load(name) if operation is not None else None
            current: LiveEngine | None = known  # type: ignore[assignment]
            folder = self.folder(name)
            started = time.perf_counter()
            if operation is not None:
                make_folder(folder)
                held = current.passages_per_document() if current else {}
                token = before_writing.set(lambda adding: self.limits.check(held, adding))
                try:
                    operation(folder)
                finally:
                    before_writing.reset(token)
            if not has_documents(folder):
                self._forget(name, without_documents=True)
                removed = tuple(document.id for document in current.engine.documents) if current else ()
                return ReloadReport((), removed, (), 0, 0, time.perf_counter() - started, ())
            if current is None:
                live = self._engine_for(folder)
                report = live.load()
            else:
                live, report = current, current.reload()
            self._admit(name, live)
            return report

    def unload(self, name: str) -> bool:
        """Forget the named corpus (its files stay); ``True`` when it was in memory."""
        return self._forget(name, without_documents=False)

    def _known(self, name: str) -> LiveEngine | None | object:
        """The loaded corpus, ``None`` for a name known to have no documents, else ``_UNKNOWN``."""
        with self._lock:
            live = self._loaded.get(name)
            if live is not None:
                self._loaded.move_to_end(name)
                return live
            return None if name in self._without_documents else _UNKNOWN

    def _load(self, name: str) -> LiveEngine | None:
        folder = self.folder(name)
        if not has_documents(folder):
            with self._lock:
                self._without_documents.add(name)
            return None
        started = time.perf_counter()
        live = self._engine_for(folder)
        report = live.load()
        self._admit(name, live)
        log.info(
            "Loaded corpus %s (%d documents, %d passages) in %.3f s; %d of %d loaded",
            name,
            report.documents,
            report.passages,
            time.perf_counter() - started,
            len(self._loaded),
            self.capacity,
        )
        return live

    def _admit(self, name: str, live: LiveEngine) -> None:
        """Keep ``live`` as the most recently used, dropping the least recently used beyond ``capacity``."""
        with self._lock:
            self._without_documents.discard(name)
            self._loaded[name] = live
            self._loaded.move_to_end(name)
            dropped = [self._loaded.popitem(last=False) for _ in range(len(self._loaded) - self.capacity)]
        for evicted, engine in dropped:
            engine.close()  # stops embedding it in the background and saves its vectors
            log.debug("Dropped corpus %s from memory (least recently used)", evicted)

    def _forget(self, name: str, *, without_documents: bool) -> bool:
        with self._lock:
            if without_documents:
                self._without_documents.add(name)
            else:
                self._without_documents.discard(name)
            live = self._loaded.pop(name, None)
        if live is None:
            return False
        live.close()
        return True

    def _engine_for(self, folder: Path) -> LiveEngine:
        return LiveEngine(folder, self._embedder, scheduler=self.scheduler)

    def _stripe(self, name: str) -> threading.Lock:
        return self._stripes[hash(name) % LOCK_STRIPES]
