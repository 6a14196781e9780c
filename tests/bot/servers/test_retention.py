"""Files of servers the bot left: marked with the time, unmarked on return, deleted after the grace period."""

from __future__ import annotations

from pathlib import Path

from quotebot.bot.servers import retention
from quotebot.bot.servers.folders import ServerFolders

DAY = retention.DAY


def server(folders: ServerFolders, guild_id: int) -> Path:
    folders.documents(guild_id).mkdir(parents=True)
    (folders.documents(guild_id) / "notes.md").write_text("# Notes\n\nSome text.\n")
    return folders.of(guild_id)


def test_leaving_marks_returning_unmarks_and_nothing_is_kept_for_a_server_without_files(tmp_path: Path) -> None:
    folders = ServerFolders(tmp_path)
    server(folders, 1)
    assert retention.mark_left(folders, 1, now=1000.0) and retention.left_at(folders, 1) == 1000.0
    assert not retention.mark_left(folders, 1, now=2000.0)  # the first departure counts
    assert retention.mark_present(folders, 1) and retention.left_at(folders, 1) is None
    assert not retention.mark_left(folders, 2)


def test_only_servers_left_longer_than_the_grace_period_are_due_and_purging_removes_everything(
    tmp_path: Path,
) -> None:
    folders = ServerFolders(tmp_path)
    for guild_id in (1, 2, 3):
        server(folders, guild_id)
    now = 100 * DAY
    retention.mark_left(folders, 1, now=now - 31 * DAY)
    retention.mark_left(folders, 2, now=now - 1 * DAY)
    assert retention.due(folders, [1, 2, 3], days=30, now=now) == [1]
    assert retention.due(folders, [1, 2, 3], days=0, now=now) == [1, 2]
    retention.purge(folders, 1)
    assert folders.guild_ids() == [2, 3] and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
