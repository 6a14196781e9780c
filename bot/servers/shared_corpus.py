"""The shared corpus, kept the same in every process: changed here and announced, or reloaded when announced.

A change made in this process (an owner's ``/corpus add shared:True``) is
written, reloaded and then announced through the ``ChangeSignal`` file;
every other process sees the new token within ``QUOTEBOT_SHARED_POLL_SECONDS``
and reloads (usually from the index cache the changing process saved, so in
well under a second). ``quotebot corpus reload`` announces a change made by
hand to the files. Changes and reloads of the shared corpus in one process
are serialised, and run in worker threads.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from quotebot.retrieval import ChangeSignal, CorpusError, LiveEngine, ReloadReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SharedChange:
    """A change of the shared corpus made here; ``unannounced`` says why other processes were not told, if so."""

    report: ReloadReport
    unannounced: str | None = None


class SharedCorpus:
    """``live`` (the shared corpus this process serves) and the signal all processes watch."""

    def __init__(self, live: LiveEngine, signal: ChangeSignal) -> None:
        self.live = live
        self.signal = signal
        # Read before the corpus is loaded, so an announcement made meanwhile is never missed.
        self.last_seen = signal.read()
        self._lock = asyncio.Lock()

    async def change(self, operation: Callable[[], object] | None = None) -> SharedChange:
        """Run ``operation`` (a blocking file change, or ``None`` for a plain reload), reload, and announce it.

        Raises ``CorpusError`` when the operation or the reload fails; the old corpus then keeps serving.
        """
        async with self._lock:
            report = await asyncio.to_thread(self._apply, operation)
            try:
                self.last_seen = await asyncio.to_thread(self.signal.announce)
            except CorpusError as error:
                log.warning("Shared corpus changed, but other processes could not be told: %s", error)
                return SharedChange(report, str(error))
            return SharedChange(report)

    async def follow(self) -> ReloadReport | None:
        """Reload when another process (or a person) announced a change since the last look; the report, if so."""
        token = await asyncio.to_thread(self.signal.read)
        if token == self.last_seen:
            return None
        async with self._lock:
            self.last_seen = token
            return await asyncio.to_thread(self.live.reload)

    def _apply(self, operation: Callable[[], object] | None) -> ReloadReport:
        if operation is not None:
            operation()
        return self.live.reload()
