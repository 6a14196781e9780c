"""The buttons under an answer to ``/ask``, a mention or a DM: Next passage and Delete for the asker,
👍/👎 for anyone, and a link to the source.

They live as long as the interaction token that can still edit the message
(``VIEW_LIFETIME``), and are then retired (``utils.views.View``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from quotebot.bot import delivery, embeds, render
from quotebot.bot.delivery import NO_MENTIONS
from quotebot.bot.exts.questions.votes import record_vote
from quotebot.bot.utils import checks
from quotebot.bot.utils.views import View
from quotebot.retrieval import Answer

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
    async def next_passage(self, interaction: discord.Interaction[QuoteBot], button: discord.ui.Button[AnswerView]) -> None:
        checks.ensure_asker(interaction, self.asker_id)
        self.index = (self.index + 1) % render.page_count(self.answer)
        self._show_link()
        await delivery.respond(interaction, update=True, **self.contents(), view=self, allowed_mentions=NO_MENTIONS)

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary)
    async def helpful(self, interaction: discord.Interaction[QuoteBot], button: discord.ui.Button[AnswerView]) -> None:
        await self._record(interaction, helpful=True)

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary)
    async def unhelpful(self, interaction: discord.Interaction[QuoteBot], button: discord.ui.Button[AnswerView]) -> None:
        await self._record(interaction, helpful=False)

    @discord.ui.button(label="Delete", emoji="🗑️", style=discord.ButtonStyle.danger)
    async def delete(self, interaction: discord.Interaction[QuoteBot], button: discord.ui.Button[AnswerView]) -> None:
        checks.ensure_asker(interaction, self.asker_id)
        await delivery.acknowledge(interaction, update=True)
        await delivery.delete_original(interaction)
        self.stop()

    async def _record(self, interaction: discord.Interaction[QuoteBot], *, helpful: bool) -> None:
        """The verdict is about the page shown when it was given."""
        passage = render.page(self.answer, self.index).passage
        await record_vote(
            interaction,
            self.question_id,
            helpful=helpful,
            passage_id=passage.id if passage else None,
            question=self.answer.question,
        )
