"""Members' questions: ``/ask``, ``@quotebot …`` mentions and DMs, and the buttons under each answer.

Retrieval is CPU work, so it always runs in a worker thread: the event loop
keeps heartbeating and serving other members while a question is answered.

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

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from quotebot.bot import delivery, embeds, render
from quotebot.bot.delivery import NO_MENTIONS
from quotebot.bot.exts.error_handler import report_message_error
from quotebot.bot.feedback import FeedbackLog
from quotebot.bot.shutdown import ShuttingDown
from quotebot.bot.utils import checks
from quotebot.bot.utils.views import View
from quotebot.retrieval import MAX_QUESTION_CHARS, Answer

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

log = logging.getLogger(__name__)

# Retrieval is mostly pure Python, so more threads only queue for the GIL, answer
# no faster, and starve the event loop of it. Measured on two cores: six concurrent
# questions stalled the loop for 100 ms; one at a time, beside a reload and a
# CPU-bound neighbour process, no callback reached 50 ms. Other questions wait their turn.
RETRIEVAL_THREADS = 1
# Buttons are retired a little before the 15-minute interaction token expires,
# so the retirement can still edit the message through that token.
VIEW_LIFETIME = 14 * 60.0


class AnswerView(View):
    """Buttons under an answer: Next passage and Delete (asker only), 👍/👎 (anyone), and a link to the source."""

    def __init__(self, answer: Answer, *, asker_id: int, as_embed: bool, feedback: FeedbackLog) -> None:
        super().__init__(lifetime=VIEW_LIFETIME)
        self.answer = answer
        self.asker_id = asker_id
        self.as_embed = as_embed
        self.feedback = feedback
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
        await self._record(interaction, "helpful")

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary)
    async def unhelpful(self, interaction: discord.Interaction, button: discord.ui.Button[AnswerView]) -> None:
        await self._record(interaction, "unhelpful")

    @discord.ui.button(label="Delete", emoji="🗑️", style=discord.ButtonStyle.danger)
    async def delete(self, interaction: discord.Interaction, button: discord.ui.Button[AnswerView]) -> None:
        checks.ensure_asker(interaction, self.asker_id)
        await delivery.acknowledge(interaction, update=True)
        await delivery.delete_original(interaction)
        self.stop()

    async def _record(self, interaction: discord.Interaction, verdict: str) -> None:
        passage = render.page(self.answer, self.index).passage
        await self.feedback.record(
            question=self.answer.question,
            passage_id=passage.id if passage else None,
            verdict=verdict,
            user_id=interaction.user.id,
        )
        await delivery.respond(
            interaction, ephemeral=True, content="Thanks — your feedback was noted.", allowed_mentions=NO_MENTIONS
        )

    async def on_timeout(self) -> None:
        """Leave only the source link: the buttons would fail once the interaction token expires."""
        for item in [item for item in self.children if item is not self._link]:
            self.remove_item(item)
        if self.message is None:
            return
        try:
            await delivery.edit(self.message, view=self, allowed_mentions=NO_MENTIONS)
        except delivery.DeliveryFailed as failure:
            delivery.log_failure(failure, "retiring the buttons of an answer")
        except discord.NotFound:  # the answer was deleted meanwhile
            log.debug("The answer whose buttons were to be retired is gone")


class Ask(commands.Cog):
    """Answers questions from the corpus."""

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot
        settings = bot.settings
        self.cooldown = checks.UserCooldown(settings.ask_cooldown_rate, settings.ask_cooldown_seconds)
        self.feedback = FeedbackLog(settings.feedback_log)
        self._retrieval_slots = asyncio.Semaphore(RETRIEVAL_THREADS)

    async def _answer(self, guild_id: int | None, question: str) -> Answer:
        """The answer from the server's corpus (the shared one in DMs), computed in the retrieval thread;
        ``ShuttingDown`` if the bot stops before its turn comes."""
        answer = await self.bot.shutdown.unless_stopped(self._retrieve(guild_id, question))
        self.bot.stats[guild_id].count(answer)
        return answer

    async def _retrieve(self, guild_id: int | None, question: str) -> Answer:
        async with self._retrieval_slots:
            return await self.bot.ask(guild_id, question)

    def _view(self, answer: Answer, asker: discord.abc.User, *, as_embed: bool) -> AnswerView:
        return AnswerView(answer, asker_id=asker.id, as_embed=as_embed, feedback=self.feedback)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Allowed channel and per-user cooldown; a refusal reaches the error handler as a ``CheckFailure``."""
        if interaction.guild_id is not None and not self.bot.channel_allowed(interaction.channel, interaction.guild_id):
            raise checks.ChannelNotAllowed()
        if self.bot.shutdown.stopping:
            raise ShuttingDown()
        self.cooldown.hit(interaction.user)
        return True

    @app_commands.command(name="ask", description="Ask a question; I answer by quoting the corpus, with attribution.")
    @app_commands.describe(question="What do you want to know?")
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, MAX_QUESTION_CHARS]
    ) -> None:
        with self.bot.shutdown.track():
            pending = asyncio.ensure_future(self._answer(interaction.guild_id, question))
            try:
                answer = await asyncio.wait_for(asyncio.shield(pending), self.bot.settings.ask_defer_after_seconds)
            except TimeoutError:
                await delivery.acknowledge(interaction)
                answer = await pending
            finally:
                pending.cancel()  # only matters when deferring failed: nobody waits for that answer
            if answer.answered:
                view = self._view(answer, interaction.user, as_embed=True)
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
                self.cooldown.hit(message.author)
                answer = await self._answer(message.guild.id if message.guild else None, question)
                if answer.answered:
                    view = self._view(answer, message.author, as_embed=False)
                    view.message = await delivery.reply(message, **view.contents(), view=view, allowed_mentions=NO_MENTIONS)
                else:
                    await delivery.reply(message, content=render.decline_text(answer), allowed_mentions=NO_MENTIONS)
            except Exception as error:  # noqa: BLE001 - every failure goes to the central error handler
                await report_message_error(message, error)


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(Ask(bot))
