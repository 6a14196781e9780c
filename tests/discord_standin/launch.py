"""Run a ``quotebot`` command in its own process against a Discord stand-in, for tests with several processes.

``python -m tests.discord_standin.launch --api URL --gateway URL --label NAME -- run --shard-count 2 --shard-ids 0``
points discord.py at the stand-in (the two class attributes ``patch_discord`` sets in a test's own process),
appends ``standin-process/NAME`` to the client's User-Agent, so the stand-in can tell which process sent each
request and opened each gateway session, and then runs ``quotebot``'s own command-line entry point with the
remaining arguments: the process is ``quotebot run`` in every other respect.
"""

from __future__ import annotations

import argparse
import functools
import sys

import discord.http

from quotebot.bot.cli import main as quotebot_main
from tests.discord_standin.lifecycle import patch_discord

LABEL_PREFIX = "standin-process/"


def label_user_agent(label: str) -> None:
    """Make every ``HTTPClient`` (REST requests and the gateway connection) identify as process ``label``."""
    original = discord.http.HTTPClient.__init__

    @functools.wraps(original)
    def labelled(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        self.user_agent = f"{self.user_agent} {LABEL_PREFIX}{label}"

    discord.http.HTTPClient.__init__ = labelled  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.discord_standin.launch")
    parser.add_argument("--api", required=True, help="the stand-in's API URL (DiscordStandin.api_url)")
    parser.add_argument("--gateway", required=True, help="its gateway URL (DiscordStandin.gateway_url)")
    parser.add_argument("--label", required=True, help="the name this process's requests carry")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the quotebot arguments")
    args = parser.parse_args(argv)
    label_user_agent(args.label)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    with patch_discord(args.api, args.gateway):
        return quotebot_main(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
