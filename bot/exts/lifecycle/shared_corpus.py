"""Every process follows the shared corpus: a change announced anywhere is reloaded here within seconds.

Polls the change signal every ``QUOTEBOT_SHARED_POLL_SECONDS`` (reading a
few bytes in a worker thread) and reloads the shared corpus when another
process, or ``quotebot corpus reload``, announced a change. A reload that
fails is logged and the old corpus keeps serving, as for any reload; any
other failure (the signal's folder unreadable for a while) is logged and
polling carries on after a back-off (``bot.background``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from discord.ext import commands

from quotebot.bot.background import Repeating
from quotebot.retrieval import CorpusError

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

log = logging.getLogger(__name__)


class SharedCorpusSync(commands.Cog):
    """Reloads the shared corpus when its change signal says so."""

    def __init__(self, bot: QuoteBot) -> None:
        self.services = bot.services
        self.polling = Repeating("shared corpus sync", self.follow, interval=bot.services.settings.shared_poll_seconds)

    async def cog_load(self) -> None:
        self.polling.start()

    async def cog_unload(self) -> None:
        await self.polling.stop()

    async def follow(self) -> None:
        try:
            report = await self.services.shared.follow()
        except CorpusError as error:
            log.warning("The shared corpus changed but could not be reloaded (the old one keeps serving): %s", error)
            return
        if report is not None:
            log.info(
                "Shared corpus reloaded after a change elsewhere: %d documents, %d passages "
                "(added %s, removed %s, changed %s) in %.2f s",
                report.documents,
                report.passages,
                list(report.added),
                list(report.removed),
                list(report.changed),
                report.seconds,
            )

