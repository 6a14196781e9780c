"""Stopping without dropping a question: what SIGTERM does while members are waiting for answers.

A member who was told "quotebot is thinking…" must get an answer or a clear
word, not a spinner that ends in "The application did not respond". So a
stop has three steps (``Shutdown.drain``): new questions are declined with
``RESTARTING`` at once; questions in flight may finish for most of the stop
timeout; then whatever is still waiting (in the retrieval queue, or on a
corpus reload) gives up with ``ShuttingDown``, which the error handler turns
into the same clear sentence, and the bot closes. The whole stop takes at
most the timeout, so a supervisor's SIGKILL (10 s after SIGTERM for Docker)
never cuts an answer in half.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from discord import app_commands

T = TypeVar("T")

RESTARTING = "I'm restarting right now and can't answer this; please ask again in a minute."
#: Of the stop timeout, the part kept for handlers that give up to say so.
NOTICE_SECONDS = 2.0


class ShuttingDown(app_commands.AppCommandError):
    """Raised in a handler whose work cannot finish before the bot stops (an ``AppCommandError``, so a
    command's ``interaction_check`` may raise it too and the tree hands it to the error handler)."""

    def __init__(self) -> None:
        super().__init__(RESTARTING)


@dataclass(frozen=True)
class DrainReport:
    """How a stop went: handlers that were in flight, those that still were when time ran out, and how long."""

    in_flight: int
    gave_up: int
    seconds: float


class Shutdown:
    """Counts the handlers in flight and tells them when to stop waiting."""

    def __init__(self) -> None:
        self.stopping = False
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._expired = asyncio.Event()

    @property
    def in_flight(self) -> int:
        return self._count

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        """Hold the stop back while this block (a handler answering someone) runs."""
        self._count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._count -= 1
            if self._count == 0:
                self._idle.set()

    async def unless_stopped(self, work: Awaitable[T]) -> T:
        """``await work``, unless the stop runs out of patience first: then ``work`` is cancelled and
        ``ShuttingDown`` raised. (Work in a thread runs on to its end; its result is dropped.)"""
        task = asyncio.ensure_future(work)
        expired = asyncio.ensure_future(self._expired.wait())
        try:
            await asyncio.wait({task, expired}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            expired.cancel()
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        raise ShuttingDown()

    async def drain(self, timeout: float) -> DrainReport:
        """Decline new work, let the work in flight finish, and give up on what is left after ``timeout`` seconds."""
        started = time.monotonic()
        self.stopping = True
        in_flight = self._count
        patience = max(0.0, timeout - NOTICE_SECONDS)
        await self._wait_idle(patience)
        gave_up = self._count
        self._expired.set()
        await self._wait_idle(timeout - (time.monotonic() - started))
        return DrainReport(in_flight, gave_up, time.monotonic() - started)

    async def _wait_idle(self, timeout: float) -> None:
        """Wait until no handler is in flight (``_idle`` is set exactly when none is), or ``timeout`` passes."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.0, timeout)):
                while self._count:
                    await self._idle.wait()
