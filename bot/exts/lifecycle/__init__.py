"""Background work: joining and leaving servers (``membership``), deleting the files of servers left long ago
(``purge``), and following the shared corpus changed by other processes (``shared_corpus``).

The package is one extension; ``setup`` adds its cogs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from quotebot.bot.exts.lifecycle.membership import Membership
from quotebot.bot.exts.lifecycle.purge import Purge
from quotebot.bot.exts.lifecycle.shared_corpus import SharedCorpusSync

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot


async def setup(bot: QuoteBot) -> None:
    for cog in (Membership(bot), Purge(bot), SharedCorpusSync(bot)):
        await bot.add_cog(cog)
