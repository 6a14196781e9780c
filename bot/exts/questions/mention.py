"""``@quotebot …`` in a server, or any direct message: the question answered as a reply to it.

The client hands over only what the gate found to be a question for us, in a
channel we answer in (``Gate.question_in``); the gate then also admits it
(not stopping, within the cooldown) before it is answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from quotebot.bot import delivery, render
from quotebot.bot.answering import Via
from quotebot.bot.delivery import NO_MENTIONS
from quotebot.bot.exts.questions.answer_view import AnswerView
from quotebot.bot.utils.reporting import report_message_error

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot


class Mentions(commands.Cog):
    """Answers the questions asked by mention or DM."""

    def __init__(self, bot: QuoteBot) -> None:
        self.services = bot.services

    @commands.Cog.listener()
    async def on_question(self, message: discord.Message, question: str) -> None:
        """Failures go to the central error reporting before the question counts as finished, so a stop
        waits for the member to be told."""
        services = self.services
        with services.shutdown.track():
            try:
                services.gate.admit_question(message)
                answer = await services.answering.answer(
                    message.guild.id if message.guild else None,
                    question,
                    question_id=message.id,
                    asker_id=message.author.id,
                    via=Via.MENTION,
                )
                if answer.answered:
                    view = AnswerView(answer, question_id=message.id, asker_id=message.author.id, as_embed=False)
                    view.message = await delivery.reply(message, **view.contents(), view=view, allowed_mentions=NO_MENTIONS)
                else:
                    await delivery.reply(message, content=render.decline_text(answer), allowed_mentions=NO_MENTIONS)
            except Exception as error:  # noqa: BLE001 - every failure goes to the central error reporting
                await report_message_error(message, error)
