"""``/ask``: a member's question, answered in the channel (or, for a decline, privately).

Retrieval runs in a worker thread (``bot.answering``): the event loop keeps
heartbeating and serving other members while a question is answered.

Why ``/ask`` does not always defer: a deferred response's visibility is fixed
when deferring, but whether the reply is a public answer or a decline only
the asker should see is known only once retrieval is done. So ``/ask`` first
waits up to ``ask_defer_after_seconds`` (1.5 s by default, well inside
Discord's 3 s) and, in the usual case, answers directly with the right
visibility. Only when retrieval is slower does it defer publicly and follow
up; a decline then replaces the public "thinking…" message with an
ephemeral follow-up (the deferred message is deleted first). Every send goes
through ``bot.delivery``, which carries it through Discord's passing faults.
Admission (allowed channel, cooldown, stopping) is the gate's (``bot.gate``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from quotebot.bot import delivery, render
from quotebot.bot.answering import Via
from quotebot.bot.delivery import NO_MENTIONS
from quotebot.bot.exts.questions.answer_view import AnswerView
from quotebot.bot.gate import QUESTION_COMMAND
from quotebot.retrieval import MAX_QUESTION_CHARS

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot


class Ask(commands.Cog):
    """The ``/ask`` command."""

    def __init__(self, bot: QuoteBot) -> None:
        self.services = bot.services

    @app_commands.command(
        name="ask",
        description="Ask a question; I answer by quoting the corpus, with attribution.",
        extras=QUESTION_COMMAND,
    )
    @app_commands.describe(question="What do you want to know?")
    async def ask(
        self, interaction: discord.Interaction[QuoteBot], question: app_commands.Range[str, 1, MAX_QUESTION_CHARS]
    ) -> None:
        with self.services.shutdown.track():
            answer = await self.services.answering.answer_interaction(interaction, question, via=Via.ASK, private=False)
            if answer.answered:
                view = AnswerView(answer, question_id=interaction.id, asker_id=interaction.user.id, as_embed=True)
                view.message = await delivery.respond(
                    interaction, **view.contents(), view=view, allowed_mentions=NO_MENTIONS
                )
            else:
                await delivery.respond(
                    interaction, ephemeral=True, content=render.decline_text(answer), allowed_mentions=NO_MENTIONS
                )
