"""``quotebot sync [--guild ID]``: register the slash commands with Discord, on purpose.

Syncing is rate-limited and replaces the command list Discord shows, so it is
a deliberate step (after adding or changing commands), never something the
bot does on every start. A guild sync shows up at once; a global one is what
every server sees.
"""

from __future__ import annotations

import argparse
import asyncio

import discord

from quotebot.bot.cli.runner import DISCORD_FAILURES, ConfigurationError, configure, failure_status, setup_logging
from quotebot.bot.client import QuoteBot
from quotebot.bot.settings import Settings
from quotebot.retrieval import LiveEngine


def main(args: argparse.Namespace) -> int:
    """Log in over HTTP only (no gateway), sync, print what was synced, and exit."""
    try:
        settings, token = configure(args)
    except ConfigurationError as error:
        return failure_status(error)
    setup_logging(settings.log_level, settings.log_format)
    try:
        names = asyncio.run(sync_commands(settings, token, args.guild, clear=getattr(args, "clear", False)))
    except DISCORD_FAILURES as error:
        return failure_status(error, unreachable="the sync failed")
    where = f"guild {args.guild}" if args.guild else "globally"
    if getattr(args, "clear", False):
        print(f"Removed the commands {'from ' if args.guild else ''}{where}.")
    else:
        print(f"Synced {len(names)} commands {'to ' if args.guild else ''}{where}: {', '.join('/' + name for name in names)}")
    return 0


async def sync_commands(settings: Settings, token: str, guild_id: int | None, *, clear: bool = False) -> list[str]:
    """The names of the commands synced (none with ``clear``: the scope's commands are removed, e.g. a server's
    copy once they are global). The corpus is not loaded: commands need none to register."""
    bot = QuoteBot(settings, LiveEngine(settings.corpus), sync_dev_guild=False)
    async with bot:
        await bot.login(token)  # runs setup_hook, which loads the extensions
        guild = discord.Object(id=guild_id) if guild_id else None
        if clear:
            bot.tree.clear_commands(guild=guild)
        elif guild is not None:
            bot.tree.copy_global_to(guild=guild)
        synced = await bot.tree.sync(guild=guild)
    return [command.name for command in synced]
