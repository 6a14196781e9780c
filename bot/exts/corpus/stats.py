"""``/corpus stats``: this server's documents, and how its questions went since start and over the kept days."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from quotebot.bot import delivery
from quotebot.bot.delivery import NO_MENTIONS
from quotebot.bot.describe import process_line, ranking_line, vectors_line
from quotebot.bot.exts.corpus.targets import ServerCorpus, served_by, shared_line
from quotebot.bot.servers.question_log import DAY
from quotebot.bot.services import Services

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot


class StatsCommand:
    """``/corpus stats``, a part of the ``/corpus`` group (``exts.corpus``)."""

    services: Services

    @app_commands.command(name="stats", description="This server's documents, and questions answered since start.")
    async def stats(self, interaction: discord.Interaction[QuoteBot]) -> None:
        assert interaction.guild_id is not None, "guild_only"
        services = self.services
        live = await served_by(interaction, ServerCorpus(services, interaction.guild_id))
        documents, passages = (len(live.engine.documents), len(live.engine.passages)) if live else (0, 0)
        stats = services.answering.stats[interaction.guild_id]
        since = discord.utils.format_dt(datetime.fromtimestamp(stats.started, UTC), "R")
        kept = await services.policy.kept_days(interaction.guild_id)
        totals = await services.questions.totals(interaction.guild_id, time.time() - kept * DAY)
        text = (
            f"This server: {documents} documents, {passages} passages of its own.\n"
            f"{await shared_line(services, interaction.guild_id, own=live is not None)}\n"
            f"{vectors_line(live or services.live)}.\n"
            f"Since I started {since}: {stats.answered} questions answered here, {stats.unsure} answered unsure, "
            f"{stats.declined} declined, {stats.busy} told I was too busy.\n"
            f"{ranking_line(stats.by_meaning, stats.by_words)}.\n"
            f"{process_line(services.corpora.scheduler.backlog(), services.loop_lag.worst)}.\n"
            f"Kept for `/corpus gaps` (last {kept} days): {totals.questions} questions ({totals.answered} answered, "
            f"{totals.unsure} unsure, {totals.declined} declined); {totals.likes} 👍, {totals.dislikes} 👎."
        )
        await delivery.respond(interaction, ephemeral=True, content=text, allowed_mentions=NO_MENTIONS)
