"""The hourly sweep of the files of servers the bot left."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotebot.bot.exts.lifecycle.purge import settle
from quotebot.bot.servers import retention
from quotebot.bot.servers.folders import ServerFolders
from tests.bot.servers.test_retention import server


def test_the_sweep_marks_servers_the_bot_is_no_longer_in_and_deletes_only_its_own_expired_ones(
    tmp_path: Path,
) -> None:
    folders = ServerFolders(tmp_path)
    for guild_id in (1, 2, 3):
        server(folders, guild_id)
    retention.mark_left(folders, 3, now=0.0)  # left long ago, but the bot is back in it
    settle(folders, ours=[1, 3], present={3}, days=0.0)
    assert folders.guild_ids() == [2, 3]  # 1: left (marked now, no grace); 2: another process's
    assert retention.left_at(folders, 3) is None


@pytest.mark.parametrize(
    "error", [OSError(116, "Stale file handle"), RuntimeError("a bug in the sweep")], ids=["OSError", "any other"]
)
async def test_a_sweep_that_fails_is_logged_and_the_next_one_still_comes(
    tmp_path: Path, monkeypatch, caplog, error: Exception
) -> None:
    import asyncio
    import logging
    from types import SimpleNamespace

    from quotebot.bot.exts.lifecycle import purge

    folders = ServerFolders(tmp_path)
    server(folders, 1)
    retention.mark_left(folders, 1, now=0.0)
    real_guild_ids, calls = folders.guild_ids, []
    swept_again = asyncio.Event()

    def guild_ids() -> list[int]:
        calls.append(1)
        if len(calls) == 1:
            raise error
        swept_again.set()
        return real_guild_ids()

    monkeypatch.setattr(folders, "guild_ids", guild_ids)
    monkeypatch.setattr(purge, "SWEEP_SECONDS", 0.01)
    services = SimpleNamespace(
        folders=folders, settings=SimpleNamespace(left_server_days=0.0), shards=SimpleNamespace(owns=lambda _: True)
    )

    async def ready() -> None:
        return None

    cog = purge.Purge(SimpleNamespace(services=services, guilds=[], wait_until_ready=ready))  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="quotebot.bot.background"):
        await cog.cog_load()
        try:
            await asyncio.wait_for(swept_again.wait(), timeout=5)
            while folders.of(1).exists():
                await asyncio.sleep(0.01)
        finally:
            await cog.cog_unload()
    assert [record.getMessage() for record in caplog.records] == [
        "purge of left servers failed (1 in a row); trying again in 0 s"
    ]
