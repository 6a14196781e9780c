"""Analysing documents on every core: batches of documents sent to worker processes.

Analysis is pure Python, so threads would share one core; each batch is
analysed in a separate process and comes back as arrays, which the caller
merges while the workers go on with the next batches. A small corpus is
analysed in this process: starting workers costs more than it saves.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING

from quotebot.retrieval.index.analysis import AnalysedDocuments, analyse_documents
from quotebot.retrieval.ingest.models import Document

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

log = logging.getLogger(__name__)

# Characters of text per batch: large enough that sending a batch costs little
# next to analysing it, small enough that both cores stay busy to the end.
BATCH_CHARACTERS = 1_000_000
# Below this much text, everything is analysed in this process.
PARALLEL_CHARACTERS = 4_000_000


def analyse_in_batches(documents: Sequence[Document], workers: int | None = None) -> Iterator[AnalysedDocuments]:
    """The analyses of ``documents`` in batches, in order; on ``workers`` processes (default: one per core)."""
    batches = _batches(documents)
    analyse = partial(analyse_documents, build=uuid.uuid4().hex)
    workers = min(workers or _cores(), len(batches))
    if workers < 2 or sum(len(document.body) for document in documents) < PARALLEL_CHARACTERS:
        yield from map(analyse, batches)
        return
    # Imported here: a start that only reads a saved index should not pay for multiprocessing.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    done = 0
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
            # A few batches in flight per worker, not all: each waits pickled in memory until taken.
            pending = deque(pool.submit(analyse, batch) for batch in batches[: 2 * workers])
            for batch in batches[2 * workers:]:
                yield pending.popleft().result()
                done += 1
                pending.append(pool.submit(analyse, batch))
            while pending:
                yield pending.popleft().result()
                done += 1
    except BrokenProcessPool:
        # Workers could not start (a script that builds an index without an ``if __name__ ==
        # "__main__":`` guard) or died: what is left is analysed here, slower but complete.
        log.warning("index worker processes failed; analysing the rest of the corpus in this process")
        yield from map(analyse, batches[done:])


def _batches(documents: Sequence[Document]) -> list[Sequence[Document]]:
    batches: list[Sequence[Document]] = []
    first, size = 0, 0
    for end, document in enumerate(documents, start=1):
        size += len(document.body)
        if size >= BATCH_CHARACTERS:
            batches.append(documents[first:end])
            first, size = end, 0
    if first < len(documents):
        batches.append(documents[first:])
    return batches


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _context() -> BaseContext:
    """Workers started from a clean server process: forking the bot (threads, sockets) could deadlock."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
