"""Background work that survives its failures: waits after failures in a row, and one-off tasks' errors logged."""

from __future__ import annotations

import asyncio
import logging

import pytest

from quotebot.bot import background


@pytest.mark.parametrize(
    ("failures", "interval", "wait"),
    [(0, 2.0, 2.0), (1, 2.0, 4.0), (3, 2.0, 16.0), (10, 2.0, 300.0), (2, 3600.0, 3600.0)],
)
def test_the_wait_doubles_with_failures_in_a_row_up_to_a_cap_never_below_the_interval(failures, interval, wait):
    assert background.wait_after(failures, interval) == wait


async def test_a_one_off_task_that_fails_is_logged_with_its_name(caplog):
    async def broken() -> None:
        raise OSError("disk gone")

    with caplog.at_level(logging.ERROR, logger="quotebot.bot.background"):
        task = background.create_task(broken(), name="tidy notices")
        with pytest.raises(OSError):
            await task
        await asyncio.sleep(0)  # done callbacks run on the next turn of the loop
    (record,) = caplog.records
    assert record.getMessage() == "Background task 'tidy notices' failed" and isinstance(record.exc_info[1], OSError)


async def test_repeating_work_runs_after_its_first_step_and_stops_when_asked():
    order: list[str] = []
    third = asyncio.Event()

    async def first() -> None:
        order.append("first")

    async def work() -> None:
        order.append("work")
        if order.count("work") == 3:
            third.set()

    repeating = background.Repeating("test", work, interval=0.001, first=first)
    repeating.start()
    await asyncio.wait_for(third.wait(), timeout=5)
    await repeating.stop()
    count = order.count("work")
    await asyncio.sleep(0.01)
    assert order[:2] == ["first", "work"] and order.count("work") == count
