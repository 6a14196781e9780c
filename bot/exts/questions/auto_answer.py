"""New help threads answered unasked, where a server asks for it and only when quotebot is sure.

A member opening a thread in one of a server's ``auto_answer_channels``
(forums, media channels, or text channels whose threads are questions) gets
an answer without asking, as the docs bots communities use do. Because
nobody asked quotebot, the bar is higher than for ``/ask``: the answer is
posted only when its confidence reaches ``QUOTEBOT_AUTO_ANSWER_CONFIDENCE``
(measured on SQuAD by ``python -m bench.auto_answer``, see the README), and
never when quotebot is unsure or would decline.

Which message: the thread's opening one, written by the member who opened
it within ``OPENING_WINDOW`` of its creation (a forum post's first message;
in a text channel's thread, its creator's first message there). The question
is the thread's title and that message. Each thread is claimed in the
server's question log before anything else, so it never gets more than one
automatic answer, however its events arrive (twice, out of order, across a
restart); a later message in the thread is not its opening one. An opening
message that mentions the bot is answered as a mention instead.

Reading a message's text needs the Message Content intent, requested only
with ``QUOTEBOT_AUTO_ANSWER=on`` (``bot.client``). The reply says it is
automatic and carries 👍/👎 and **Not helpful, remove** for the thread's
author (and moderators): removing deletes it and counts as a 👎.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from quotebot.bot import delivery, embeds, render
from quotebot.bot.answering import Busy, Via, confident_enough, question_in_text
from quotebot.bot.delivery import NO_MENTIONS
from quotebot.bot.exts.questions.votes import lasting_answer_view, record_vote
from quotebot.bot.shutdown import ShuttingDown
from quotebot.bot.utils import checks
from quotebot.bot.utils.views import reporting_errors
from quotebot.retrieval import Answer

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

log = logging.getLogger(__name__)

#: How soon after a thread is created its opener's first message counts as the thread's question.
OPENING_WINDOW = timedelta(minutes=10)
AUTOMATIC = (
    "-# 🤖 An automatic answer from this server's documents. If it doesn't help, press **Not helpful, remove**; "
    "people here will still answer."
)
FOOTER = "Automatic answer · 👍/👎 tell the moderators how it did"
ONLY_THE_OPENER = "Only the member who opened this thread, or a moderator, can remove this answer."
REMOVED = "Removed. Thanks for telling us; the moderators will see that this question still needs an answer."
#: Message types a member's opening message can have (a forum post's first message is an ordinary one).
MEMBER_MESSAGES = (discord.MessageType.default, discord.MessageType.reply)


def thread_question(title: str, text: str) -> str:
    """The question a new thread asks: its title, then its opening message (unless that repeats the title)."""
    title, body = question_in_text(title), question_in_text(text)
    if not body or body.casefold().startswith(title.casefold()):
        return body or title
    return f"{title}. {body}"


def is_opening_message(message: discord.Message, thread: discord.Thread) -> bool:
    """Whether ``message`` is the one that asks ``thread``'s question (see the module docstring)."""
    created = thread.created_at or discord.utils.snowflake_time(thread.id)
    return (
        message.type in MEMBER_MESSAGES
        and message.author.id == thread.owner_id
        and message.created_at - created <= OPENING_WINDOW
    )


class RemoveAutomaticAnswer(
    discord.ui.DynamicItem[discord.ui.Button], template=r"quotebot:unhelpful-remove:(?P<question>\d+)"
):
    """**Not helpful, remove** under an automatic answer: the thread's author (or a moderator) deletes it."""

    def __init__(self, question_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Not helpful, remove",
                style=discord.ButtonStyle.danger,
                custom_id=f"quotebot:unhelpful-remove:{question_id}",
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[QuoteBot], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RemoveAutomaticAnswer:
        return cls(int(match["question"]))

    async def callback(self, interaction: discord.Interaction[QuoteBot]) -> None:
        await reporting_errors(interaction, self._remove(interaction))

    async def _remove(self, interaction: discord.Interaction[QuoteBot]) -> None:
        thread = interaction.channel
        opener = isinstance(thread, discord.Thread) and thread.owner_id == interaction.user.id
        if not opener and not await checks.is_moderator(interaction):
            raise checks.Refused(ONLY_THE_OPENER)
        await record_vote(interaction, self.question_id, helpful=False, thank=False)
        await delivery.respond(interaction, ephemeral=True, content=REMOVED, allowed_mentions=NO_MENTIONS)
        if interaction.message is not None:
            await delivery.delete(interaction.message)
        log.info("Automatic answer %s removed as not helpful", self.question_id)
        log.debug("Automatic answer %s removed by user %s", self.question_id, interaction.user.id)


class AutoAnswer(commands.Cog):
    """Watches new threads in the servers' auto-answer channels."""

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot
        self.services = bot.services

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        thread = message.channel
        if (
            not self.bot.reads_message_content
            or message.guild is None
            or message.author.bot
            or not isinstance(thread, discord.Thread)
            or not self.services.gate.open
        ):
            return
        channels = (await self.services.policy.settings_of(message.guild.id)).auto_answer_channel_ids or ()
        if thread.parent_id not in channels or not is_opening_message(message, thread):
            return
        if not await self.services.questions.claim_thread(message.guild.id, thread.id):
            return
        if self.bot.user is not None and self.bot.user.id in message.raw_mentions:
            return  # asked by mention: answered as one
        question = thread_question(thread.name, message.content)
        if not question:
            return
        with self.services.shutdown.track():
            try:
                await self._answer(message, question)
            except ShuttingDown:
                log.info("Stopped before answering new thread %s", thread.id)
            except Busy:
                log.info("Too busy to answer new thread %s automatically", thread.id)
            except delivery.DeliveryFailed as failure:
                delivery.log_failure(failure, f"the automatic answer in thread {thread.id}")
            except discord.HTTPException as error:  # e.g. no permission to post in the thread
                log.warning("Could not answer new thread %s automatically: %s", thread.id, error)

    async def _answer(self, message: discord.Message, question: str) -> None:
        assert message.guild is not None
        answer = await self.services.answering.answer(
            message.guild.id, question, question_id=message.id, asker_id=message.author.id, via=Via.THREAD
        )
        threshold = self.services.settings.auto_answer_confidence
        if not confident_enough(answer, threshold):
            log.info(
                "New thread %s not answered automatically: %s (confidence %.2f, needs %.2f)",
                message.channel.id,
                answer.outcome.value,
                answer.confidence,
                threshold,
            )
            return
        await delivery.reply(message, **automatic_reply(answer, message.id), allowed_mentions=NO_MENTIONS)
        log.info("Answered new thread %s automatically (confidence %.2f)", message.channel.id, answer.confidence)


def automatic_reply(answer: Answer, question_id: int) -> dict[str, Any]:
    """The automatic answer's message: the note that it is automatic, the answer, and its buttons."""
    embed = embeds.answer_embed(answer)
    embed.set_footer(text=FOOTER)
    url = render.source_link(render.page(answer))
    view = lasting_answer_view(question_id, url, RemoveAutomaticAnswer(question_id))
    return {"content": AUTOMATIC, "embed": embed, "view": view}

