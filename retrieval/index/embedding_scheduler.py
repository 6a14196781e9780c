"""One embedding worker per process, shared by every corpus it serves, that never makes a question wait.

The model costs about 0.1 s a passage (its sentences included) on this
project's CPU: a 3,000-passage wiki takes minutes and 100,000 passages hours.
Questions are answered meanwhile (by words alone where their candidates have
no vectors yet, ``engine``), so the only question is what to embed first:

1. the passages recent questions found without vectors (``PassageVectors.request``),
   the most recently asked corpus first, so the next question about them is
   answered by meaning too;
2. then the corpora asked about in the last ``ACTIVE_SECONDS``;
3. then the rest.

Within 2 and 3 corpora take turns a batch at a time, so one server's 100,000
passages do not starve another's 200. Between batches the worker pauses while
questions are being answered (up to ``YIELD_SECONDS``), then takes a small
batch (``BUSY_BATCH``); it takes whole batches, split over the cores, only
when no question is. Vectors are written to the store
every ``SAVE_EVERY_SECONDS`` or ``SAVE_EVERY_PASSAGES``, so a stop loses
little and a restart resumes where it stopped; a corpus change re-embeds only
new or changed text, since vectors are keyed by the text's digest.

An error embedding one corpus is logged and that corpus is left to words
alone; the worker carries on with the others.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from quotebot.retrieval.index.passage_vectors import PassageVectors

log = logging.getLogger(__name__)

# Passages embedded per turn when no question is being answered: about a second on two cores, so a corpus
# waits at most a few seconds for its turn; sixteen a call sort into fuller forward passes than fewer.
BATCH = 32
# Passages embedded per turn while questions are being answered: a tenth of a second or so.
BUSY_BATCH = 2
# A corpus asked about this recently is embedded before those that were not.
ACTIVE_SECONDS = 600.0
# How long the worker holds back while questions are being answered before it embeds a batch anyway.
YIELD_SECONDS = 1.0
# Vectors are written to disk at least this often, so a stop loses little.
SAVE_EVERY_SECONDS = 30.0
SAVE_EVERY_PASSAGES = 512
# The worker runs at this niceness where the OS allows it (Linux), below the bot's own threads.
NICENESS = 10


@dataclass(frozen=True)
class EmbeddingBacklog:
    """What is left to embed: passages with vectors and in all, over every corpus followed."""

    ready: int
    total: int
    corpora_embedding: int

    @property
    def missing(self) -> int:
        return self.total - self.ready

    @property
    def complete(self) -> bool:
        return self.ready >= self.total


@dataclass
class _Target:
    vectors: PassageVectors
    asked_at: float = 0.0
    served_at: float = 0.0
    unsaved: int = 0
    saved_at: float = field(default_factory=time.monotonic)
    # Embedded since the store was last compacted (done once the corpus is complete).
    uncompacted: bool = False
    failed: bool = False


class EmbeddingScheduler:
    """Embeds the missing vectors of every corpus it follows, on one worker thread, in the order above."""

    def __init__(self, *, cores: int | None = None, batch: int = BATCH) -> None:
        self.cores = max(1, cores if cores is not None else (os.cpu_count() or 1))
        self.batch = batch
        self._targets: dict[str, _Target] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition(self._lock)
        self._questions = 0
        self._thread: threading.Thread | None = None
        _schedulers.add(self)

    # The corpora followed.

    def follow(self, key: str, vectors: PassageVectors) -> None:
        """Embed ``vectors``'s missing passages, instead of those of the snapshot ``key`` was following."""
        with self._lock:
            previous = self._targets.get(key)
            self._targets[key] = _Target(vectors, asked_at=previous.asked_at if previous else time.monotonic())
            if previous is not None and previous.vectors is not vectors:
                previous.vectors.store.flush()
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="quotebot-embedding", daemon=True)
                self._thread.start()
        self._wake.set()

    def forget(self, key: str) -> None:
        """Stop embedding ``key`` (its corpus was unloaded) and save what was embedded."""
        with self._lock:
            target = self._targets.pop(key, None)
            self._idle.notify_all()
        if target is not None:
            target.vectors.store.flush()

    def asked(self, key: str) -> None:
        """A question was asked of ``key``: it counts as active, and what it requested is embedded first."""
        with self._lock:
            target = self._targets.get(key)
            if target is not None:
                target.asked_at = time.monotonic()
        self._wake.set()

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Around answering a question: the worker holds back its next batch, and stays on one core, meanwhile."""
        with self._lock:
            self._questions += 1
        try:
            yield
        finally:
            with self._lock:
                self._questions -= 1

    # What it has done.

    def backlog(self, key: str | None = None) -> EmbeddingBacklog:
        """Passages with vectors and in all, of ``key`` or of every corpus followed."""
        with self._lock:
            targets = [self._targets[key]] if key in self._targets else [] if key else list(self._targets.values())
        ready = sum(target.vectors.ready_count for target in targets)
        total = sum(target.vectors.total for target in targets)
        embedding = sum(1 for target in targets if not target.failed and not target.vectors.complete)
        return EmbeddingBacklog(ready, total, embedding)

    def wait(self, key: str | None = None, timeout: float | None = None) -> bool:
        """Block until ``key`` (or every corpus followed) has all its vectors, or failed; ``False`` on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while not self._settled(key):
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._idle.wait(remaining if remaining is not None else 1.0)
            return True

    def stop(self) -> None:
        """Stop after the current batch and save every corpus's vectors."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        with self._lock:
            targets = list(self._targets.values())
        for target in targets:
            target.vectors.store.flush()

    # The worker.

    def _settled(self, key: str | None) -> bool:
        targets = [self._targets[key]] if key in self._targets else [] if key else self._targets.values()
        return all(target.failed or target.vectors.complete for target in targets)

    def _run(self) -> None:
        lower_priority()
        while not self._stop.is_set():
            picked = self._next()
            if picked is None:
                with self._lock:
                    self._idle.notify_all()
                self._wake.wait(timeout=SAVE_EVERY_SECONDS)
                self._wake.clear()
                continue
            key, target, positions = picked
            if not self._hold_back_for_questions():
                positions, later = positions[:BUSY_BATCH], positions[BUSY_BATCH:]
                target.vectors.request(later[::-1])  # still first in line, in the same order
            try:
                embedded = self._embed(target.vectors, positions)
            except Exception:
                log.exception("embedding corpus %s failed; it is answered by words alone until it is reloaded", key)
                with self._lock:
                    target.failed = True
                    self._idle.notify_all()
                continue
            self._keep(target, embedded)
            with self._lock:
                self._idle.notify_all()

    def _next(self) -> tuple[str, _Target, list[int]] | None:
        """The corpus and passages to embed next (see the module's docstring), or ``None`` when all are done."""
        now = time.monotonic()
        with self._lock:
            targets = [(key, t) for key, t in self._targets.items() if not t.failed]
        for key, target in sorted(targets, key=lambda item: -item[1].asked_at):
            requested = target.vectors.take_requested(self.batch)
            if requested:
                return key, target, requested
        waiting = [(key, t) for key, t in targets if not t.vectors.complete]
        if not waiting:
            for _, target in targets:
                if target.uncompacted:
                    self._save(target, compact=True)
            return None
        active = [(key, t) for key, t in waiting if now - t.asked_at <= ACTIVE_SECONDS]
        key, target = min(active or waiting, key=lambda item: item[1].served_at)
        target.served_at = now
        return key, target, target.vectors.missing(limit=self.batch)

    def _hold_back_for_questions(self) -> bool:
        """Wait up to ``YIELD_SECONDS`` for the questions being answered; whether none is left."""
        deadline = time.monotonic() + YIELD_SECONDS
        while self._questions and time.monotonic() < deadline and not self._stop.is_set():
            time.sleep(0.005)
        return not self._questions

    def _embed(self, vectors: PassageVectors, positions: list[int]) -> int:
        """Embed ``positions``, split over the cores when no question is being answered (the model runs
        without the GIL, so threads share the work)."""
        parts = 1 if self._questions else min(self.cores, len(positions))
        if parts <= 1:
            return vectors.ensure(positions)
        counts = [0] * parts
        errors: list[BaseException] = []

        def share(part: int) -> None:
            lower_priority()
            try:
                counts[part] = vectors.ensure(positions[part::parts])
            except BaseException as error:  # noqa: BLE001 - handed to the worker, which logs it
                errors.append(error)

        helpers = [threading.Thread(target=share, args=(part,), daemon=True) for part in range(1, parts)]
        for helper in helpers:
            helper.start()
        share(0)
        for helper in helpers:
            helper.join()
        if errors:
            raise errors[0]
        return sum(counts)

    def _keep(self, target: _Target, embedded: int) -> None:
        target.unsaved += embedded
        target.uncompacted = target.uncompacted or embedded > 0
        if target.unsaved >= SAVE_EVERY_PASSAGES or time.monotonic() - target.saved_at >= SAVE_EVERY_SECONDS:
            self._save(target)

    @staticmethod
    def _save(target: _Target, *, compact: bool = False) -> None:
        """Write what was embedded; once a corpus is complete, also drop the vectors of text it no longer has."""
        target.vectors.store.flush()
        if compact:
            target.vectors.store.compact(target.vectors.digests)
            target.uncompacted = False
        target.unsaved, target.saved_at = 0, time.monotonic()


# Every scheduler alive, stopped at exit: a model call still running while the interpreter tears down aborts it.
_schedulers: weakref.WeakSet[EmbeddingScheduler] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for scheduler in list(_schedulers):
        scheduler.stop()


def lower_priority() -> None:
    """Let the bot's own threads go first: on Linux a thread has its own niceness."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
    except (AttributeError, OSError):
        pass
