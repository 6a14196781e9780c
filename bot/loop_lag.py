"""How late the event loop runs its callbacks: the one figure that says whether the bot is keeping up.

Everything a member sees passes through the event loop: interactions must be
acknowledged within 3 s, and the gateway heartbeat is sent from it (discord.py
warns "Can't keep up" when it falls behind). Retrieval and embedding run in
threads, but a thread that holds the GIL too long, or a blocking call made on
the loop by mistake, delays every server at once. So a probe sleeps
``INTERVAL`` seconds over and over and records how much later than asked it
woke: that lateness is the lag. The worst of the last ``WINDOW`` seconds is
shown in ``/corpus stats``, logged as a warning when it passes
``WARN_AFTER`` (at most once a ``WINDOW``), and observed by the metrics'
histogram of lag.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque

from quotebot.bot import metrics

log = logging.getLogger(__name__)

INTERVAL = 0.25
WINDOW = 60.0
WARN_AFTER = 0.5


class LoopLag:
    """The event loop's recent lag, measured by a probe task (``run``)."""

    def __init__(self) -> None:
        self._samples: deque[tuple[float, float]] = deque()
        self._warned_at = float("-inf")

    @property
    def worst(self) -> float:
        """The largest lag, in seconds, of the last ``WINDOW`` seconds (0 before the first sample)."""
        self._forget_old(time.monotonic())
        return max((lag for _, lag in self._samples), default=0.0)

    @property
    def latest(self) -> float:
        return self._samples[-1][1] if self._samples else 0.0

    def record(self, lag: float, now: float) -> None:
        self._samples.append((now, lag))
        metrics.LOOP_LAG.observe(lag)
        self._forget_old(now)
        if lag >= WARN_AFTER and now - self._warned_at >= WINDOW:
            self._warned_at = now
            log.warning("The event loop ran %.0f ms late: something blocked it (answers and the heartbeat wait)",
                        lag * 1000)

    async def run(self) -> None:
        """Probe the loop until cancelled."""
        while True:
            asked = time.monotonic()
            await asyncio.sleep(INTERVAL)
            now = time.monotonic()
            self.record(max(0.0, now - asked - INTERVAL), now)

    def _forget_old(self, now: float) -> None:
        while self._samples and now - self._samples[0][0] > WINDOW:
            self._samples.popleft()
