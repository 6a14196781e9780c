"""``/corpus gaps``, as moderators read it: what went unanswered, one line per thing asked, most asked first.

The questions come from the server's question log (declined, answered
unsure, or given 👎); ``retrieval.group_questions`` decides which ask the same
thing. A group is ranked by how many times it was asked, then by how many
members asked it, then by how recently; each line says how often and why it
failed, and shows another wording or two. The documents with the most 👎
follow, as the passages moderators should look at first.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from quotebot.bot import delivery
from quotebot.bot.delivery import NO_MENTIONS
from quotebot.bot.render import EMBED_DESCRIPTION_LIMIT, EMBED_FIELD_LIMIT, clip, escape
from quotebot.bot.servers.question_db import DocumentVotes, Gap
from quotebot.bot.servers.question_log import DAY
from quotebot.bot.services import Services
from quotebot.retrieval import group_questions

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

GAPS_DAYS = 30
#: Documents the "most 👎" list of /corpus gaps shows.
DISLIKED_DOCUMENTS = 5

QUESTION_CHARS = 150
OTHER_WORDINGS = 2
GAPS_COLOUR = discord.Colour.orange()


@dataclass(frozen=True)
class GapGroup:
    """Questions asking the same thing, and how they failed."""

    wording: str
    others: tuple[str, ...]
    asked: int
    askers: int
    outcomes: Counter[str]
    dislikes: int
    last_asked: float


def grouped(gaps: Sequence[Gap]) -> list[GapGroup]:
    """``gaps`` grouped by what they ask, in the order moderators should read them."""
    groups = []
    for group in group_questions([gap.text for gap in gaps]):
        members = [gaps[position] for position in group.members]
        wording = gaps[group.anchor].text
        wordings: dict[str, str] = {}
        for gap in members:
            wordings.setdefault(_folded(gap.text), gap.text)
        wordings.pop(_folded(wording), None)
        groups.append(
            GapGroup(
                wording=wording,
                others=tuple(wordings.values()),
                asked=len(members),
                askers=len({gap.asker for gap in members}),
                outcomes=Counter(gap.outcome for gap in members if gap.outcome != "answered"),
                dislikes=sum(gap.dislikes for gap in members),
                last_asked=max(gap.asked_at for gap in members),
            )
        )
    return sorted(groups, key=lambda group: (-group.asked, -group.askers, -group.last_asked))


def gaps_embed(gaps: Sequence[Gap], documents: Sequence[DocumentVotes], *, days: int, kept_days: int) -> discord.Embed:
    """The report: one line per group (as many as fit), the most 👎 documents, and what the figures cover."""
    groups = grouped(gaps)
    embed = discord.Embed(title=f"Unanswered here in the last {days} days", colour=GAPS_COLOUR)
    lines = [_line(number, group) for number, group in enumerate(groups, start=1)]
    shown: list[str] = []
    for line in lines:
        if len("\n".join([*shown, line])) > EMBED_DESCRIPTION_LIMIT - 40:
            shown.append(f"…and {len(lines) - len(shown)} more")
            break
        shown.append(line)
    embed.description = "\n".join(shown) or "Nothing: every question recorded here was answered, and none got a 👎."
    if documents:
        listed = "\n".join(f"`{escape(d.document_id)}` — {d.dislikes} 👎, {d.likes} 👍" for d in documents)
        embed.add_field(name="Most 👎 documents", value=clip(listed, EMBED_FIELD_LIMIT), inline=False)
    askers = len({gap.asker for gap in gaps})
    covered = f"{len(gaps)} questions from {askers} members" if gaps else "No questions"
    embed.set_footer(text=f"{covered} · questions are kept {kept_days} days (/corpus settings question_retention_days)")
    return embed


def _line(number: int, group: GapGroup) -> str:
    why = [f"{label} {group.outcomes[outcome]}" for outcome, label in (("declined", "declined"), ("unsure", "unsure"))
           if group.outcomes[outcome]]
    if group.dislikes:
        why.append(f"👎 {group.dislikes}")
    if group.askers > 1:
        why.append(f"{group.askers} members")
    line = f"{number}. **{group.asked}×** {escape(clip(group.wording, QUESTION_CHARS))} — {' · '.join(why)}"
    if group.others:
        also = "; ".join(escape(clip(other, QUESTION_CHARS // 2)) for other in group.others[:OTHER_WORDINGS])
        line += f"\n  ↳ also asked as: {also}"
    return line


def _folded(text: str) -> str:
    return " ".join(text.casefold().rstrip("?!. ").split())


class GapsCommand:
    """``/corpus gaps``, a part of the ``/corpus`` group (``exts.corpus``)."""

    services: Services

    @app_commands.command(name="gaps", description="Questions asked here that I declined, was unsure of, or got 👎.")
    @app_commands.describe(days=f"How many days back to look (default {GAPS_DAYS})")
    async def gaps(
        self, interaction: discord.Interaction[QuoteBot], days: app_commands.Range[int, 1, 3650] = GAPS_DAYS
    ) -> None:
        assert interaction.guild_id is not None, "guild_only"
        kept = await self.services.policy.kept_days(interaction.guild_id)
        since = time.time() - min(days, kept) * DAY
        gaps, documents = await self.services.questions.gaps(interaction.guild_id, since, documents=DISLIKED_DOCUMENTS)
        embed = gaps_embed(gaps, documents, days=days, kept_days=kept)
        await delivery.respond(interaction, ephemeral=True, embed=embed, allowed_mentions=NO_MENTIONS)
