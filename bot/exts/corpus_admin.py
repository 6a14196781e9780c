"""``/corpus``: moderators keep the quoted corpus current from Discord.

The group is hidden by default from members without Manage Server
(``default_permissions``), but that is only a hint server admins can change,
so ``interaction_check`` enforces ``checks.ensure_moderator`` on every
subcommand. Index builds run in a worker thread and are serialised by an
``asyncio.Lock``; the live engine swaps the new index in only once it is
complete, so members keep getting answers from the old one meanwhile.
Replies go through ``bot.delivery``; a change in flight holds a stop back
(``bot.shutdown``) until it is done or the stop runs out of patience.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from quotebot.bot import delivery
from quotebot.bot.cli.corpus_check import vectors_line
from quotebot.bot.client import freeze_long_lived_objects
from quotebot.bot.delivery import NO_MENTIONS
from quotebot.bot.render import MESSAGE_LIMIT, clip, escape
from quotebot.bot.shutdown import ShuttingDown
from quotebot.bot.utils import checks
from quotebot.bot.utils.views import View
from quotebot.retrieval import CorpusError, ReloadReport, remove_document, safe_name, save_upload

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

log = logging.getLogger(__name__)

AUTOCOMPLETE_LIMIT = 25
CONFIRM_TIMEOUT = 60.0
NAMES_SHOWN = 10


def _names(ids: Sequence[str]) -> str:
    shown = ", ".join(f"`{name}`" for name in ids[:NAMES_SHOWN])
    more = len(ids) - NAMES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def describe_reload(report: ReloadReport) -> str:
    """What a reload changed, in a few lines a moderator can read at a glance."""
    lines = [f"Corpus reloaded in {report.seconds:.2f} s: {report.documents} documents, {report.passages} passages."]
    for label, ids in (("Added", report.added), ("Removed", report.removed), ("Changed", report.changed)):
        if ids:
            lines.append(f"{label}: {_names(ids)}")
    if report.unchanged:
        lines.append("No documents changed.")
    if report.problems:
        skipped = "; ".join(f"`{problem.path.name}` ({problem.reason})" for problem in report.problems[:NAMES_SHOWN])
        lines.append(f"Skipped {len(report.problems)} file(s): {skipped}")
    return clip("\n".join(lines), MESSAGE_LIMIT)


class ConfirmRemoval(View):
    """Confirm / Cancel for ``/corpus remove``, usable only by the moderator who asked."""

    def __init__(self, cog: CorpusAdmin, document_id: str, moderator_id: int) -> None:
        super().__init__(lifetime=CONFIRM_TIMEOUT)
        self.cog = cog
        self.document_id = document_id
        self.moderator_id = moderator_id

    @discord.ui.button(label="Remove", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmRemoval]) -> None:
        checks.ensure_asker(interaction, self.moderator_id)
        self.stop()
        with self.cog.bot.shutdown.track():
            await delivery.respond(
                interaction,
                update=True,
                content=f"Removing `{self.document_id}`…",
                view=None,
                allowed_mentions=NO_MENTIONS,
            )
            text = await self.cog.remove_and_reload(interaction.user, self.document_id)
            await delivery.edit_original(interaction, content=text, allowed_mentions=NO_MENTIONS)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmRemoval]) -> None:
        checks.ensure_asker(interaction, self.moderator_id)
        self.stop()
        await delivery.respond(
            interaction, update=True, content="Nothing was removed.", view=None, allowed_mentions=NO_MENTIONS
        )

    async def on_timeout(self) -> None:
        if self.message is None:
            return
        try:
            await delivery.edit(
                self.message, content="Nothing was removed (no confirmation).", view=None, allowed_mentions=NO_MENTIONS
            )
        except delivery.DeliveryFailed as failure:
            delivery.log_failure(failure, "retiring a removal prompt")
        except discord.NotFound:  # dismissed by the moderator meanwhile
            log.debug("The removal prompt to retire is gone")


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class CorpusAdmin(commands.GroupCog, group_name="corpus", group_description="Moderators: manage the quoted corpus"):
    """Reload, add, remove, list and count the corpus documents."""

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot
        self._reload_lock = asyncio.Lock()

    @property
    def folder(self) -> Path:
        return self.bot.live.folder

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        checks.ensure_moderator(interaction)
        if self.bot.shutdown.stopping:
            raise ShuttingDown()
        return True

    async def _reload(
        self, moderator: discord.abc.User, action: str, change: Callable[[], object] | None = None
    ) -> str:
        """Apply ``change`` (a blocking file operation) and rebuild the index, both off the event loop.

        Returns the reply text. A failure leaves the old corpus serving and says
        why; every change is logged with who made it.
        """
        try:
            report = await self.bot.shutdown.unless_stopped(self._change_and_reload(change))
        except CorpusError as error:
            text = f"{action} failed: {escape(str(error))}. The corpus in use has not changed."
            await self._audit(moderator, text)
            return text
        freeze_long_lived_objects()
        text = describe_reload(report)
        await self._audit(moderator, f"{action}: {text}")
        return text

    async def _change_and_reload(self, change: Callable[[], object] | None) -> ReloadReport:
        async with self._reload_lock:
            if change is not None:
                await asyncio.to_thread(change)
            return await asyncio.to_thread(self.bot.live.reload)

    async def _audit(self, moderator: discord.abc.User, text: str) -> None:
        """Log a corpus change with who made it, and post it to the moderator log channel if configured."""
        log.info("Corpus change by %s (%s): %s", moderator, moderator.id, text)
        channel_id = self.bot.settings.mod_log_channel_id
        if channel_id is None:
            return
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                raise TypeError(f"{channel!r} is not a text channel")
            await delivery.send(
                channel, content=clip(f"{moderator.mention} — {text}", MESSAGE_LIMIT), allowed_mentions=NO_MENTIONS
            )
        except delivery.DeliveryFailed as failure:
            delivery.log_failure(failure, "a post to the moderator log channel")
        except (discord.HTTPException, TypeError) as error:
            # The change itself succeeded; a missing log post must not turn it into an error.
            log.warning("Could not post to the moderator log channel %s: %s", channel_id, error)

    async def remove_and_reload(self, moderator: discord.abc.User, document_id: str) -> str:
        return await self._reload(
            moderator, f"Removing `{document_id}`", lambda: remove_document(self.folder, document_id)
        )

    @app_commands.command(name="reload", description="Re-read the corpus folder and swap in the new index.")
    async def reload(self, interaction: discord.Interaction) -> None:
        with self.bot.shutdown.track():
            await delivery.acknowledge(interaction, ephemeral=True)
            text = await self._reload(interaction.user, "Reload")
            await delivery.respond(interaction, ephemeral=True, content=text, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="add", description="Add (or replace) a .md or .txt document, then reload.")
    @app_commands.describe(
        file="A UTF-8 .md or .txt file, optionally with YAML front matter",
        title="Title to record (overrides the file's)",
        author="Author to record",
        url="Link to the original (http or https)",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        title: app_commands.Range[str, 1, 200] | None = None,
        author: app_commands.Range[str, 1, 200] | None = None,
        url: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        limit = self.bot.settings.max_upload_bytes
        # Name and size are checked before downloading: Discord reports both, and a
        # file that will be refused anyway should never be read.
        try:
            name = safe_name(file.filename)
        except CorpusError as error:
            raise checks.Refused(f"Cannot add `{escape(file.filename)}`: {error}.") from None
        if file.size > limit:
            raise checks.Refused(f"`{name}` is {file.size:,} bytes; the limit is {limit:,}.")
        with self.bot.shutdown.track():
            await delivery.acknowledge(interaction, ephemeral=True)
            raw = await delivery.deliver("GET attachment", file.read)
            text = await self._reload(
                interaction.user,
                f"Adding `{name}`",
                lambda: save_upload(
                    self.folder, file.filename, raw, title=title, author=author, url=url, max_bytes=limit
                ),
            )
            await delivery.respond(interaction, ephemeral=True, content=text, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="remove", description="Remove a document from the corpus (asks to confirm).")
    @app_commands.describe(document="The document's id (its file name)")
    async def remove(self, interaction: discord.Interaction, document: str) -> None:
        known = {doc.id for doc in self.bot.live.engine.documents}
        if document not in known:
            raise checks.Refused(f"There is no document `{escape(document)}`; `/corpus list` shows them.")
        if known == {document}:
            raise checks.Refused("That is the only document: add another before removing it, or the bot has nothing to quote.")
        view = ConfirmRemoval(self, document, interaction.user.id)
        view.message = await delivery.respond(
            interaction,
            ephemeral=True,
            content=f"Remove `{document}` from the corpus?",
            view=view,
            allowed_mentions=NO_MENTIONS,
        )

    @remove.autocomplete("document")
    async def _document_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if not checks.is_moderator(interaction):
            return []
        needle = current.lower()
        matches = [
            doc for doc in self.bot.live.engine.documents if needle in doc.id.lower() or needle in doc.title.lower()
        ]
        return [
            app_commands.Choice(name=clip(f"{doc.id} — {doc.title}", 100), value=doc.id[:100])
            for doc in matches[:AUTOCOMPLETE_LIMIT]
        ]

    @app_commands.command(name="list", description="List the documents in the corpus.")
    async def list_documents(self, interaction: discord.Interaction) -> None:
        engine = self.bot.live.engine
        counts = Counter(passage.document.id for passage in engine.passages)
        lines = [f"{len(engine.documents)} documents:"]
        lines += [
            f"`{doc.id}` — {escape(clip(doc.title, 100))} ({counts[doc.id]} passages)" for doc in engine.documents
        ]
        await delivery.respond(
            interaction, ephemeral=True, content=clip("\n".join(lines), MESSAGE_LIMIT), allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="stats", description="Documents, passages and questions answered since start.")
    async def stats(self, interaction: discord.Interaction) -> None:
        engine = self.bot.live.engine
        stats = self.bot.stats
        since = discord.utils.format_dt(datetime.fromtimestamp(stats.started, UTC), "R")
        text = (
            f"{len(engine.documents)} documents, {len(engine.passages)} passages.\n"
            f"{vectors_line(self.bot.live)}.\n"
            f"Since I started {since}: {stats.answered} questions answered, {stats.unsure} answered unsure, "
            f"{stats.declined} declined."
        )
        await delivery.respond(interaction, ephemeral=True, content=text, allowed_mentions=NO_MENTIONS)


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(CorpusAdmin(bot))
