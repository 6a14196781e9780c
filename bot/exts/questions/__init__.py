"""How members ask: ``/ask``, mentions and DMs, **Answer with quotebot** on a message, and new help threads
answered unasked; one module each, with the buttons under answers (``answer_view``, ``votes``) shared in
the package.

The package is one extension: ``setup`` adds its cogs and the buttons found
by custom id (which work across restarts); ``teardown`` removes the buttons,
so ``reload_extension`` leaves nothing behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from quotebot.bot.exts.questions.answer_from_message import AnswerFromMessage
from quotebot.bot.exts.questions.ask import Ask
from quotebot.bot.exts.questions.auto_answer import AutoAnswer, RemoveAutomaticAnswer
from quotebot.bot.exts.questions.mention import Mentions
from quotebot.bot.exts.questions.votes import VoteButton

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

BUTTONS = (VoteButton, RemoveAutomaticAnswer)


async def setup(bot: QuoteBot) -> None:
    bot.add_dynamic_items(*BUTTONS)
    for cog in (Ask(bot), Mentions(bot), AnswerFromMessage(bot), AutoAnswer(bot)):
        await bot.add_cog(cog)


async def teardown(bot: QuoteBot) -> None:
    bot.remove_dynamic_items(*BUTTONS)
