"""The hourly sweep of the files of servers the bot left."""

from __future__ import annotations

from pathlib import Path

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
