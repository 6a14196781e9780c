"""The event loop's lag: the worst of the last minute, and one warning a minute at most."""

from __future__ import annotations

import asyncio
import logging
import time

from quotebot.bot.loop_lag import WINDOW, LoopLag


def test_the_worst_lag_of_the_window_is_kept_and_older_ones_forgotten() -> None:
    lag = LoopLag()
    now = time.monotonic()
    lag.record(0.8, now - WINDOW - 1)
    lag.record(0.02, now - 1)
    lag.record(0.05, now)
    assert lag.worst == 0.05 and lag.latest == 0.05


def test_a_long_stall_is_warned_about_once_a_window(caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="quotebot.bot.loop_lag")
    lag = LoopLag()
    now = time.monotonic()
    lag.record(0.9, now)
    lag.record(1.2, now + 1)
    lag.record(0.7, now + WINDOW + 2)
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings == [
        "The event loop ran 900 ms late: something blocked it (answers and the heartbeat wait)",
        "The event loop ran 700 ms late: something blocked it (answers and the heartbeat wait)",
    ]


async def test_the_probe_sees_a_callback_that_blocks_the_loop() -> None:
    lag = LoopLag()
    probe = asyncio.create_task(lag.run())
    await asyncio.sleep(0.3)
    time.sleep(0.6)  # noqa: ASYNC251 - the blocking call on the loop that a bug would make
    await asyncio.sleep(0.3)
    probe.cancel()
    assert lag.worst >= 0.3
