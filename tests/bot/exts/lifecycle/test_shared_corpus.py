"""Following the shared corpus: the polling survives a failure it did not expect."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest

from quotebot.bot.exts.lifecycle.shared_corpus import SharedCorpusSync


class FlakyShared:
    """The shared corpus whose first look fails."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.looks = 0
        self.third_look = asyncio.Event()

    async def follow(self) -> None:
        self.looks += 1
        if self.looks == 1:
            raise self.error
        if self.looks == 3:
            self.third_look.set()


# discord.ext.tasks retried an OSError by itself, but any other exception ended its loop for good.
UNEXPECTED = [
    OSError(5, "Input/output error", "/mnt/quotebot/servers/.shared-corpus-version"),
    RuntimeError("a bug in a reload"),
]


@pytest.mark.parametrize("error", UNEXPECTED, ids=["OSError", "any other"])
async def test_an_unexpected_error_is_logged_and_polling_carries_on(caplog, error: Exception) -> None:
    shared = FlakyShared(error)
    services = SimpleNamespace(settings=SimpleNamespace(shared_poll_seconds=0.01), shared=shared)
    sync = SharedCorpusSync(SimpleNamespace(services=services))  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="quotebot.bot.background"):
        await sync.cog_load()
        try:
            await asyncio.wait_for(shared.third_look.wait(), timeout=5)
        finally:
            await sync.cog_unload()
    (failure,) = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert failure.getMessage() == "shared corpus sync failed (1 in a row); trying again in 0 s"
    assert failure.exc_info[1] is error
    assert sync.polling.failures == 0  # the rounds after it worked
