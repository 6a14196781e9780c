"""Members' questions: ``/ask``, ``@quotebot …`` mentions and DMs, and the buttons under each answer.

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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from quotebot.bot import delivery, embeds, render
from quotebot.bot.answering import Via
from quotebot.bot.delivery import NO_MENTIONS
from quotebot.bot.exts.error_handler import report_message_error
from quotebot.bot.shutdown import ShuttingDown
from quotebot.bot.utils import checks
from quotebot.bot.utils.views import View
from quotebot.bot.votes import record_vote
from quotebot.retrieval import MAX_QUESTION_CHARS, Answer

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

# Buttons are retired a little before the 15-minute interaction token expires,
# so the retirement can still edit the message through that token.
VIEW_LIFETIME = 14 * 60.0


class AnswerView(View):
    """Buttons under an answer: Next passage and Delete (asker only), 👍/👎 (anyone), and a link to the source."""

    def __init__(self, answer: Answer, *, question_id: int, asker_id: int, as_embed: bool) -> None:
        super().__init__(lifetime=VIEW_LIFETIME)
        self.answer = answer
        self.question_id = question_id
        self.asker_id = asker_id
        self.as_embed = as_embed
        self.index = 0
        self._link: discord.ui.Button[AnswerView] | None = None
        if render.page_count(answer) < 2:
            self.remove_item(self.next_passage)
        self._show_link()

    def contents(self) -> dict[str, Any]:
        """The message body for the current page, as ``send``/``edit`` keyword arguments."""
        if self.as_embed:
            return {"embed": embeds.answer_embed(self.answer, self.index)}
        return {"content": render.answer_markdown(self.answer, self.index)}

    def _show_link(self) -> None:
        if self._link is not None:
            self.remove_item(self._link)
        url = render.source_link(render.page(self.answer, self.index))
        self._link = discord.ui.Button(label="Source", url=url) if url else None
        if self._link is not None:
            self.add_item(self._link)

    @discord.ui.button(label="Next passage", emoji="➡️", style=discord.ButtonStyle.primary)
    async def next_passage(self, interaction: discord.Interaction, button: discord.ui.Button[AnswerView]) -> None:
        checks.ensure_asker(interaction, self.asker_id)
        self.index = (self.index + 1) % render.page_count(self.answer)
        self._show_link()
        await delivery.respond(interaction, update=True, **self.contents(), view=self, allowed_mentions=NO_MENTIONS)

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary)
    async def helpful(self, interaction: discord.Interaction, button: discord.ui.Button[AnswerView]) -> None:
        await self._record(interaction, helpful=True)

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary)
    async def unhelpful(self, interaction: discord.Interaction, button: discord.ui.Button[AnswerView]) -> None:
        await self._record(interaction, helpful=False)

    @discord.ui.button(label="Delete", emoji="🗑️", style=discord.ButtonStyle.danger)
    async def delete(self, interaction: discord.Interaction, button: discord.ui.Button[AnswerView]) -> None:
        checks.ensure_asker(interaction, self.asker_id)
        await delivery.acknowledge(interaction, update=True)
        await delivery.delete_original(interaction)
        self.stop()

    async def _record(self, interaction: discord.Interaction, *, helpful: bool) -> None:
        """The verdict is about the page shown when it was given."""
        passage = render.page(self.answer, self.index).passage
        await record_vote(
            interaction,
            self.question_id,
            helpful=helpful,
            passage_id=passage.id if passage else None,
            question=self.answer.question,
        )


class Ask(commands.Cog):
    """Answers questions from the corpus."""

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Allowed channel and per-user cooldown; a refusal reaches the error handler as a ``CheckFailure``."""
        self.bot.answering.admit(interaction)
        return True

    @app_commands.command(name="ask", description="Ask a question; I answer by quoting the corpus, with attribution.")
    @app_commands.describe(question="What do you want to know?")
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, MAX_QUESTION_CHARS]
    ) -> None:
        with self.bot.shutdown.track():
            answer = await self.bot.answering.answer_interaction(interaction, question, via=Via.ASK, private=False)
            if answer.answered:
                view = AnswerView(answer, question_id=interaction.id, asker_id=interaction.user.id, as_embed=True)
                view.message = await delivery.respond(
                    interaction, **view.contents(), view=view, allowed_mentions=NO_MENTIONS
                )
            else:
                await delivery.respond(
                    interaction, ephemeral=True, content=render.decline_text(answer), allowed_mentions=NO_MENTIONS
                )

    @commands.Cog.listener()
    async def on_question(self, message: discord.Message, question: str) -> None:
        """A mention or DM (see ``QuoteBot.question_in``): answered as a reply to that message.

        Failures go to the central error handler before the question counts
        as finished, so a stop waits for the member to be told.
        """
        with self.bot.shutdown.track():
            try:
                if self.bot.shutdown.stopping:
                    raise ShuttingDown()
                self.bot.answering.cooldown.hit(message.author)
                answer = await self.bot.answering.answer(
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
            except Exception as error:  # noqa: BLE001 - every failure goes to the central error handler
                await report_message_error(message, error)


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(Ask(bot))
