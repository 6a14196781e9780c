"""Background work that survives its own failures: one-off tasks that log what they raise, and repeating work
that logs a failure and carries on after a back-off.

``discord.ext.tasks`` stops a loop for good on any exception it was not told
about, so one ``OSError`` from a network volume would end shared-corpus sync
or purging until the next restart, silently. Here a failed round is logged
with its traceback (it is a quotebot bug, or a disk that needs an operator)
and the next one comes after a wait that doubles with each failure in a row,
from the usual interval up to ``LONGEST_WAIT`` (or the interval, if that is
longer), so a lasting fault is neither hammered nor forgotten. A task is kept
referenced until it ends (asyncio holds only weak references to tasks). The
shape follows pydis_core's ``create_task`` and ``Scheduler``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The longest wait after failures in a row, unless the usual interval is longer.
LONGEST_WAIT = 300.0

_running: set[asyncio.Task[object]] = set()


def create_task(work: Coroutine[object, object, T], *, name: str) -> asyncio.Task[T]:
    """``asyncio.create_task``, kept referenced until done, with anything it raises logged (never lost unseen)."""
    task = asyncio.create_task(work, name=name)
    _running.add(task)
    task.add_done_callback(_running.discard)
    task.add_done_callback(_log_failure)
    return task


def _log_failure(task: asyncio.Task[T]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("Background task %r failed", task.get_name(), exc_info=error)


def wait_after(failures: int, interval: float) -> float:
    """Seconds until the next round: the interval, doubled for each failure in a row, capped."""
    return min(interval * 2**failures, max(interval, LONGEST_WAIT))


class Repeating:
    """``work`` every ``interval`` seconds (after ``first`` has returned), surviving any exception it raises."""

    def __init__(
        self,
        name: str,
        work: Callable[[], Awaitable[None]],
        *,
        interval: float,
        first: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.name = name
        self.interval = interval
        self._work = work
        self._first = first
        self._task: asyncio.Task[None] | None = None
        #: Failed rounds in a row (0 after a round that worked).
        self.failures = 0

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Cancel the work and wait for it to end (a round in a worker thread still runs to its end there)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        if self._first is not None:
            await self._first()
        while True:
            try:
                await self._work()
            except Exception:
                self.failures += 1
                wait = wait_after(self.failures, self.interval)
                log.exception("%s failed (%d in a row); trying again in %.0f s", self.name, self.failures, wait)
            else:
                self.failures = 0
                wait = self.interval
            await asyncio.sleep(wait)
