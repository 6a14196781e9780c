"""**Answer with quotebot** (Apps → Answer with quotebot on any message): a member's question answered where it was asked.

Members ask each other more often than they ask the bot. Any member can
pick this on a message, in a channel, a thread or a forum post: its text is
answered as a question and shown to them alone first, with a **Post as
reply** button that posts the answer as a reply to that message (pinging
nobody), so a wrong answer never reaches the channel unseen. The message's
text arrives inside the interaction, so no privileged intent is needed.
The question is recorded under the message's id, as asked by its author:
answering the same message again replaces the record instead of adding one.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from quotebot.bot import delivery, embeds, render
from quotebot.bot.answering import Via, question_in_text
from quotebot.bot.delivery import NO_MENTIONS
from quotebot.bot.exts.questions.answer_view import VIEW_LIFETIME
from quotebot.bot.exts.questions.votes import lasting_answer_view
from quotebot.bot.gate import QUESTION_COMMAND
from quotebot.bot.utils import checks
from quotebot.bot.utils.views import View
from quotebot.retrieval import Answer

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

log = logging.getLogger(__name__)

MENU_NAME = "Answer with quotebot"
# Discord's codes for a reply whose message is gone.
UNKNOWN_MESSAGE = 10008
INVALID_FORM_BODY = 50035
NOTHING_TO_ANSWER = "That message has no text for me to answer."
CANNOT_POST = "I can't post in this channel: I need to be allowed to send messages and read its history."
GONE = "That message was deleted meanwhile, so there is nothing to reply to."
FOOTER_LIMIT = 2048


def posted_embed(answer: Answer, requester: discord.abc.User) -> discord.Embed:
    """The answer as posted for everyone: the ``/ask`` embed, saying who asked for it instead of paging."""
    embed = embeds.answer_embed(answer)
    embed.set_footer(text=render.clip(f"Answer with quotebot, at {requester.display_name}'s request", FOOTER_LIMIT))
    return embed


class PostAsReply(View):
    """The private preview's button: post the answer as a reply to the message, for everyone."""

    def __init__(self, answer: Answer, message: discord.Message) -> None:
        super().__init__(lifetime=VIEW_LIFETIME)
        self.answer = answer
        self.original = message
        self.posting = False
        url = render.source_link(render.page(answer))
        if url:
            self.add_item(discord.ui.Button(label="Source", url=url))

    @discord.ui.button(label="Post as reply", emoji="📨", style=discord.ButtonStyle.primary)
    async def post(self, interaction: discord.Interaction[QuoteBot], button: discord.ui.Button[PostAsReply]) -> None:
        if self.posting:  # a second click while the first one posts
            raise checks.Refused("It is being posted.")
        self.posting = True
        try:
            posted = await self._post(interaction.user)
        finally:
            self.posting = False
        self.stop()
        log.info("Answer to message %s posted as a reply", self.original.id)
        log.debug("Answer to message %s posted at the request of user %s", self.original.id, interaction.user.id)
        await delivery.respond(
            interaction, update=True, content=f"Posted as a reply: {posted.jump_url}", view=None, allowed_mentions=NO_MENTIONS
        )

    async def _post(self, requester: discord.abc.User) -> discord.Message:
        view = lasting_answer_view(self.original.id, render.source_link(render.page(self.answer)))
        try:
            return await delivery.reply(
                self.original, embed=posted_embed(self.answer, requester), view=view, allowed_mentions=NO_MENTIONS
            )
        except discord.Forbidden:
            raise checks.Refused(CANNOT_POST) from None
        except discord.HTTPException as error:
            if error.code in (UNKNOWN_MESSAGE, INVALID_FORM_BODY):
                raise checks.Refused(GONE) from None
            raise


class AnswerFromMessage(commands.Cog):
    """The message context-menu command."""

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.menu = app_commands.ContextMenu(name=MENU_NAME, callback=self.answer_message, extras=QUESTION_COMMAND)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def answer_message(self, interaction: discord.Interaction[QuoteBot], message: discord.Message) -> None:
        question = question_in_text(message.content)
        if not question:
            raise checks.Refused(NOTHING_TO_ANSWER)
        with self.services.shutdown.track():
            answer = await self.services.answering.answer_interaction(
                interaction, question, via=Via.MESSAGE, private=True, about=message
            )
            if not answer.answered:
                await delivery.respond(
                    interaction, ephemeral=True, content=render.decline_text(answer), allowed_mentions=NO_MENTIONS
                )
                return
            view = PostAsReply(answer, message)
            view.message = await delivery.respond(
                interaction,
                ephemeral=True,
                embed=embeds.answer_embed(answer),
                view=view,
                allowed_mentions=NO_MENTIONS,
            )

