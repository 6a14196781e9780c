"""Embedding a corpus's passages after it starts serving, without stalling anyone.

At about 75 ms a passage (its sentences included) on this project's CPU, a
10,000-passage corpus takes some 12 minutes to embed and 100,000 passages
two hours, so nobody waits for it: the snapshot serves at once (questions
about passages without vectors yet embed the few they need, ``engine``),
while one low-priority thread embeds the rest a small batch at a time,
keeping the vectors (``vector_store``) so a restart resumes where it
stopped. A reload points the thread at the new snapshot; vectors of
unchanged passages are found in the store and not computed again.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from quotebot.retrieval.index.passage_vectors import PassageVectors

log = logging.getLogger(__name__)

# Passages embedded at a time: a question waiting for the model waits at most one batch (~0.3 s).
BATCH = 4
# Vectors are written to disk at least this often, so a stop loses little.
SAVE_EVERY_SECONDS = 30.0
SAVE_EVERY_PASSAGES = 512
# Background threads run at this niceness where the OS allows it (Linux), below the bot's own.
NICENESS = 10


class BackgroundEmbedding:
    """One daemon thread embedding the missing passages of the snapshot it was last pointed at."""

    def __init__(self) -> None:
        self._target: PassageVectors | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def follow(self, vectors: PassageVectors) -> None:
        """Embed ``vectors``'s missing passages from now on (instead of the previous snapshot's)."""
        with self._lock:
            self._target = vectors
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="quotebot-embedding", daemon=True)
                self._thread.start()
        self._idle.clear()
        self._wake.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current snapshot has every vector (or ``timeout``); for tests and ``corpus embed``."""
        return self._idle.wait(timeout)

    def stop(self) -> None:
        """Stop after the current batch and save what was embedded."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        target = self._target
        if target is not None:
            target.store.flush()

    def _run(self) -> None:
        _lower_priority()
        saved_at, unsaved = time.monotonic(), 0
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            while not self._stop.is_set():
                target = self._target
                assert target is not None
                batch = target.missing(limit=BATCH)
                if not batch:
                    target.store.flush()
                    target.store.compact(target.digests)
                    saved_at, unsaved = time.monotonic(), 0
                    if self._target is target:
                        self._idle.set()
                        break
                    continue
                try:
                    target.ensure(batch)
                except Exception:
                    log.exception("embedding passages failed; the rest of the corpus is answered without them")
                    self._idle.set()
                    return
                unsaved += len(batch)
                if unsaved >= SAVE_EVERY_PASSAGES or time.monotonic() - saved_at >= SAVE_EVERY_SECONDS:
                    target.store.flush()
                    saved_at, unsaved = time.monotonic(), 0


def _lower_priority() -> None:
    """Let the bot's own threads go first: on Linux a thread has its own niceness."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
    except (AttributeError, OSError):
        pass
