"""👍/👎 on answers: kept in the server's question log (``/corpus gaps``, ``/corpus stats``) and the feedback file.

Answers that stay in a channel for good (an automatic answer in a help
thread, one posted with **Answer with quotebot**) carry ``VoteButton``s whose
custom id names the question (``quotebot:vote:1:<question id>``): discord.py
finds the button by that id (a dynamic item), so a click works for as long as
the message exists, across restarts, and nothing is kept in memory per
message. Their view is stopped before it is sent for that reason: a live view
would be held for every such message forever.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from quotebot.bot import delivery
from quotebot.bot.delivery import NO_MENTIONS
from quotebot.bot.utils.views import reporting_errors

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

THANKS = "Thanks — your feedback was noted."


async def record_vote(
    interaction: discord.Interaction[QuoteBot],
    question_id: int,
    *,
    helpful: bool,
    passage_id: str | None = None,
    question: str | None = None,
    thank: bool = True,
) -> None:
    """Keep a member's verdict on the answer to ``question_id`` (``passage_id``: the page they saw, by
    default the quoted one), and thank them privately unless ``thank`` is false."""
    services = interaction.client.services
    voter = None  # the member as the server's question log knows them; nobody where no question is kept
    if interaction.guild_id is not None:
        voted = await services.questions.vote(
            interaction.guild_id, question_id, interaction.user.id, helpful=helpful, passage_id=passage_id
        )
        if voted is not None:
            question, passage_id, voter = question or voted.question, passage_id or voted.passage_id, voted.voter
    await services.feedback.record(
        question=question,
        passage_id=passage_id,
        verdict="helpful" if helpful else "unhelpful",
        server_id=interaction.guild_id,
        voter=voter,
    )
    if thank:
        await delivery.respond(interaction, ephemeral=True, content=THANKS, allowed_mentions=NO_MENTIONS)


class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=r"quotebot:vote:(?P<helpful>[01]):(?P<question>\d+)"):
    """👍 or 👎 under an answer that stays in its channel, for anyone."""

    def __init__(self, question_id: int, *, helpful: bool) -> None:
        super().__init__(
            discord.ui.Button(
                emoji="👍" if helpful else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"quotebot:vote:{int(helpful)}:{question_id}",
            )
        )
        self.question_id = question_id
        self.helpful = helpful

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[QuoteBot], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        return cls(int(match["question"]), helpful=match["helpful"] == "1")

    async def callback(self, interaction: discord.Interaction[QuoteBot]) -> None:
        await reporting_errors(interaction, record_vote(interaction, self.question_id, helpful=self.helpful))


def lasting_answer_view(question_id: int, source_url: str | None, *more: discord.ui.Item[Any]) -> discord.ui.View:
    """👍, 👎, then ``more`` buttons and the source link, for an answer that stays in its channel."""
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton(question_id, helpful=True))
    view.add_item(VoteButton(question_id, helpful=False))
    for item in more:
        view.add_item(item)
    if source_url:
        view.add_item(discord.ui.Button(label="Source", url=source_url))
    view.stop()  # see the module's docstring: the buttons are found by their custom ids
    return view
