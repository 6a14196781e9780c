"""``quotebot corpus purge``: delete the files of servers the bot has left, now rather than at the next sweep."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from quotebot.bot.servers import retention
from quotebot.bot.servers.folders import ServerFolders


def register(actions: argparse._SubParsersAction) -> None:
    purge = actions.add_parser(
        "purge",
        help="delete the files of servers the bot left more than QUOTEBOT_LEFT_SERVER_DAYS ago",
        description="Delete the folders of servers the bot has left: those past the grace period, or all with --now.",
    )
    purge.add_argument("--now", action="store_true", help="also those left within the grace period")
    purge.set_defaults(handler=run, reads_settings=True)


def run(args: argparse.Namespace) -> int:
    from quotebot.bot.cli.runner import ConfigurationError, failure_status, load_settings

    try:
        settings = load_settings(args)
    except ConfigurationError as error:
        return failure_status(error)
    folders = ServerFolders(settings.server_corpora)
    left = {guild_id: since for guild_id in folders.guild_ids() if (since := retention.left_at(folders, guild_id))}
    days = 0.0 if args.now else settings.left_server_days
    due = retention.due(folders, left, days=days)
    for guild_id in due:
        retention.purge(folders, guild_id)
        print(f"Deleted {folders.of(guild_id)} (left {_when(left[guild_id])})")
    kept = sorted(set(left) - set(due))
    print(f"{len(due)} deleted; {len(kept)} left within the last {settings.left_server_days:g} days kept (--now deletes them).")
    return 0


def _when(unix_time: float) -> str:
    days = (time.time() - unix_time) / retention.DAY
    return f"{datetime.fromtimestamp(unix_time, UTC):%Y-%m-%d %H:%M} UTC, {days:.1f} days ago"
