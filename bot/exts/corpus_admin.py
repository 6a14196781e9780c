"""``/corpus``: moderators keep their server's corpus current from Discord; the owner, the shared one.

Every subcommand acts on the invoking server's own documents (its folder,
``servers/<guild id>/documents``), so nothing a moderator of one server does
changes what another server's members see. ``shared:True`` acts on the
shared corpus instead, which only the bot's owner may change
(``checks.ensure_owner``); the change then reaches every running process
(``SharedCorpus``). ``/corpus settings`` is for Manage Server only.

The group is hidden by default from members without Manage Server
(``default_permissions``), but that is only a hint server admins can change,
so ``interaction_check`` enforces ``checks.ensure_moderator`` on every
subcommand. ``/corpus gaps`` shows what went unanswered here (``bot.gaps``).
File changes and index builds run in worker threads, one at a
time per corpus; the index is swapped in only once it is complete, so
members keep getting answers from the old one meanwhile. Replies go through
``bot.delivery``; a change in flight holds a stop back (``bot.shutdown``)
until it is done or the stop runs out of patience.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from quotebot.bot import delivery
from quotebot.bot.cli.corpus_check import vectors_line
from quotebot.bot.client import freeze_long_lived_objects
from quotebot.bot.delivery import NO_MENTIONS
from quotebot.bot.gaps import gaps_embed
from quotebot.bot.render import MESSAGE_LIMIT, clip, escape
from quotebot.bot.servers.settings import ServerSettings, defaults_for, describe, field_of, option_name
from quotebot.bot.servers.targets import (
    Change,
    CorpusTarget,
    FileOperation,
    ServerCorpus,
    SharedCorpusTarget,
    documents_of,
)
from quotebot.bot.shutdown import ShuttingDown
from quotebot.bot.utils import checks
from quotebot.bot.utils.views import View
from quotebot.retrieval import (
    CorpusError,
    LiveEngine,
    ReloadReport,
    is_shipped,
    remove_document,
    safe_name,
    save_upload,
)

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

log = logging.getLogger(__name__)

AUTOCOMPLETE_LIMIT = 25
CONFIRM_TIMEOUT = 60.0
NAMES_SHOWN = 10
AUTO_ANSWER_OFF = (
    "Note: automatic answers are off in this quotebot (its operator turns them on with QUOTEBOT_AUTO_ANSWER=on "
    "and the Message Content intent); these channels take effect once they are on."
)
SHIPPED_IS_READ_ONLY = (
    "The shared corpus is the one shipped inside quotebot's package, which is never written to. Set "
    "QUOTEBOT_CORPUS to a folder of your own (copy quotebot's `corpus` documents into it to keep them) "
    "and restart quotebot; then it can be changed."
)
EVERY_CHANNEL = ("all", "every", "everywhere")
NO_CHANNEL = ("none", "off", "nowhere")
#: What ``auto_answer_channels`` may name: channels whose threads are questions.
THREAD_CHANNELS = (discord.ForumChannel, discord.TextChannel)
DAY = 24 * 60 * 60.0
GAPS_DAYS = 30
#: Documents the "most 👎" list of /corpus gaps shows.
DISLIKED_DOCUMENTS = 5
_CHANNEL_MENTION = re.compile(r"<#(\d+)>|(\d{15,20})|#([^\s#]+)")


def _names(ids: Sequence[str]) -> str:
    shown = ", ".join(f"`{name}`" for name in ids[:NAMES_SHOWN])
    more = len(ids) - NAMES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def describe_reload(title: str, report: ReloadReport) -> str:
    """What a (re)load changed, in a few lines a moderator can read at a glance."""
    lines = [f"{title} reloaded in {report.seconds:.2f} s: {report.documents} documents, {report.passages} passages."]
    for label, ids in (("Added", report.added), ("Removed", report.removed), ("Changed", report.changed)):
        if ids:
            lines.append(f"{label}: {_names(ids)}")
    if report.unchanged:
        lines.append("No documents changed.")
    if report.problems:
        skipped = "; ".join(f"`{problem.path.name}` ({problem.reason})" for problem in report.problems[:NAMES_SHOWN])
        lines.append(f"Skipped {len(report.problems)} file(s): {skipped}")
    if report.documents == 0:
        lines.append("This server has no documents of its own now: questions here are answered from the shared corpus.")
    return clip("\n".join(lines), MESSAGE_LIMIT)


class ConfirmRemoval(View):
    """Confirm / Cancel for ``/corpus remove``, usable only by the moderator who asked."""

    def __init__(self, cog: CorpusAdmin, target: CorpusTarget, document_id: str, moderator_id: int) -> None:
        super().__init__(lifetime=CONFIRM_TIMEOUT)
        self.cog = cog
        self.target = target
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
            document_id = self.document_id
            text = await self.cog.change(
                interaction, self.target, f"Removing `{document_id}`", lambda folder: remove_document(folder, document_id)
            )
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
class CorpusAdmin(
    commands.GroupCog, group_name="corpus", group_description="Moderators: manage this server's quoted corpus"
):
    """Reload, add, remove, list and count this server's documents (or the owner's shared ones); its settings."""

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        checks.ensure_moderator(interaction)
        if self.bot.shutdown.stopping:
            raise ShuttingDown()
        return True

    async def _target(self, interaction: discord.Interaction, shared: bool, *, writes: bool = False) -> CorpusTarget:
        """The corpus the command acts on; the shared one only for the owner, and only if it may be written."""
        if not shared:
            assert interaction.guild_id is not None, "guild_only"
            return ServerCorpus(self.bot, interaction.guild_id)
        await checks.ensure_owner(interaction)
        target = SharedCorpusTarget(self.bot)
        if writes and is_shipped(target.folder):
            raise checks.Refused(SHIPPED_IS_READ_ONLY)
        return target

    @staticmethod
    async def _served(interaction: discord.Interaction, target: CorpusTarget) -> LiveEngine | None:
        """What ``target`` serves, deferring the reply first when it must be loaded (a large corpus may take
        longer than Discord's 3 seconds)."""
        if not target.in_memory:
            await delivery.acknowledge(interaction, ephemeral=True)
        return await target.served()

    async def change(
        self, interaction: discord.Interaction, target: CorpusTarget, action: str, operation: FileOperation | None
    ) -> str:
        """Apply ``operation`` to ``target``'s folder and reload, off the event loop; the reply text.

        A failure leaves the old corpus serving and says why; every change is
        logged with who made it, and posted to the server's moderator log.
        """
        try:
            done: Change = await self.bot.shutdown.unless_stopped(target.change(operation))
        except CorpusError as error:
            text = f"{action} failed: {escape(str(error))}. The corpus in use has not changed."
            await self._audit(interaction, text)
            return text
        freeze_long_lived_objects()
        text = describe_reload(target.title, done.report)
        if target.shared:
            text += f"\nEvery running quotebot process reloads it within {self.bot.settings.shared_poll_seconds:g} s."
        if done.note:
            text += f"\n{done.note}"
        await self._audit(interaction, f"{action}: {text}")
        return clip(text, MESSAGE_LIMIT)

    async def _audit(self, interaction: discord.Interaction, text: str) -> None:
        """Log a change (who made it at DEBUG only), and post it with who made it to this server's moderator log
        channel if it has one."""
        moderator, guild_id = interaction.user, interaction.guild_id
        log.info("Corpus change in server %s: %s", guild_id, text)
        log.debug("Corpus change in server %s made by user %s", guild_id, moderator.id)
        channel_id = self.bot.server_settings_of(guild_id).mod_log_channel_id if guild_id else None
        if channel_id is None:
            return
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable) or getattr(channel, "guild", None) is None:
                raise TypeError(f"{channel!r} is not a text channel")
            if channel.guild.id != guild_id:  # type: ignore[union-attr]
                raise TypeError(f"channel {channel_id} belongs to another server")
            await delivery.send(
                channel, content=clip(f"{moderator.mention} — {text}", MESSAGE_LIMIT), allowed_mentions=NO_MENTIONS
            )
        except delivery.DeliveryFailed as failure:
            delivery.log_failure(failure, "a post to the moderator log channel")
        except (discord.HTTPException, TypeError) as error:
            # The change itself succeeded; a missing log post must not turn it into an error.
            log.warning("Could not post to the moderator log channel %s: %s", channel_id, error)

    @app_commands.command(name="reload", description="Re-read this server's documents and swap in the new index.")
    @app_commands.describe(shared="The shared corpus instead (the bot's owner only)")
    async def reload(self, interaction: discord.Interaction, shared: bool = False) -> None:
        target = await self._target(interaction, shared)
        with self.bot.shutdown.track():
            await delivery.acknowledge(interaction, ephemeral=True)
            text = await self.change(interaction, target, "Reload", None)
            await delivery.respond(interaction, ephemeral=True, content=text, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="add", description="Add (or replace) a .md or .txt document, then reload.")
    @app_commands.describe(
        file="A UTF-8 .md or .txt file, optionally with YAML front matter",
        title="Title to record (overrides the file's)",
        author="Author to record",
        url="Link to the original (http or https)",
        shared="Add it to the shared corpus instead (the bot's owner only)",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        title: app_commands.Range[str, 1, 200] | None = None,
        author: app_commands.Range[str, 1, 200] | None = None,
        url: app_commands.Range[str, 1, 500] | None = None,
        shared: bool = False,
    ) -> None:
        target = await self._target(interaction, shared, writes=True)
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
            text = await self.change(
                interaction,
                target,
                f"Adding `{name}`",
                lambda folder: save_upload(
                    folder, file.filename, raw, title=title, author=author, url=url, max_bytes=limit
                ),
            )
            await delivery.respond(interaction, ephemeral=True, content=text, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="remove", description="Remove one of this server's documents (asks to confirm).")
    @app_commands.describe(
        document="The document's id (its file name)", shared="Remove it from the shared corpus (the bot's owner only)"
    )
    async def remove(self, interaction: discord.Interaction, document: str, shared: bool = False) -> None:
        target = await self._target(interaction, shared, writes=True)
        live = await self._served(interaction, target)
        known = {doc.id for doc in live.engine.documents} if live is not None else set()
        if document not in known:
            raise checks.Refused(f"There is no document `{escape(document)}` in {target.title.lower()}; `/corpus list` shows them.")
        if target.shared and known == {document}:
            raise checks.Refused("That is the only shared document: add another before removing it, or DMs have nothing to quote.")
        view = ConfirmRemoval(self, target, document, interaction.user.id)
        where = "the shared corpus" if target.shared else "this server's corpus"
        view.message = await delivery.respond(
            interaction,
            ephemeral=True,
            content=f"Remove `{document}` from {where}?",
            view=view,
            allowed_mentions=NO_MENTIONS,
        )

    @remove.autocomplete("document")
    async def _document_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        """This server's documents only (the shared ones for the owner who picked ``shared``)."""
        if not checks.is_moderator(interaction):
            return []
        try:
            target = await self._target(interaction, bool(getattr(interaction.namespace, "shared", False)))
            documents = await documents_of(target)
        except (checks.Refused, CorpusError):
            return []
        needle = current.lower()
        matches = [doc for doc in documents if needle in doc.id.lower() or needle in doc.title.lower()]
        return [
            app_commands.Choice(name=clip(f"{doc.id} — {doc.title}", 100), value=doc.id[:100])
            for doc in matches[:AUTOCOMPLETE_LIMIT]
        ]

    @app_commands.command(name="list", description="List this server's documents.")
    @app_commands.describe(shared="List the shared corpus instead")
    async def list_documents(self, interaction: discord.Interaction, shared: bool = False) -> None:
        target: CorpusTarget = SharedCorpusTarget(self.bot) if shared else await self._target(interaction, False)
        live = await self._served(interaction, target)
        engine = live.engine if live is not None else None
        lines = [f"{target.title}: {len(engine.documents) if engine else 0} documents."]
        if engine is not None:
            counts = Counter(passage.document.id for passage in engine.passages)
            lines += [
                f"`{doc.id}` — {escape(clip(doc.title, 100))} ({counts[doc.id]} passages)" for doc in engine.documents
            ]
        if not target.shared:
            lines.append(self._shared_line(interaction.guild_id, own=engine is not None))
        await delivery.respond(
            interaction, ephemeral=True, content=clip("\n".join(lines), MESSAGE_LIMIT), allowed_mentions=NO_MENTIONS
        )

    def _shared_line(self, guild_id: int | None, *, own: bool) -> str:
        """Whether the shared corpus answers here too, and how to see it."""
        shared = self.bot.live.engine
        size = f"the shared corpus ({len(shared.documents)} documents, {len(shared.passages)} passages)"
        if not own:
            return f"Questions here are answered from {size}; `/corpus list shared:True` lists it."
        if guild_id is not None and self.bot.server_settings_of(guild_id).include_shared:
            return f"Questions here are also answered from {size} (`/corpus settings include_shared:False` stops that)."
        return "The shared corpus is not used here (`/corpus settings include_shared:True` adds it)."

    @app_commands.command(name="stats", description="This server's documents, and questions answered since start.")
    async def stats(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None, "guild_only"
        live = await self._served(interaction, ServerCorpus(self.bot, interaction.guild_id))
        documents, passages = (len(live.engine.documents), len(live.engine.passages)) if live else (0, 0)
        stats = self.bot.stats[interaction.guild_id]
        since = discord.utils.format_dt(datetime.fromtimestamp(stats.started, UTC), "R")
        kept = self._kept_days(interaction.guild_id)
        totals = await self.bot.questions.totals(interaction.guild_id, time.time() - kept * DAY)
        text = (
            f"This server: {documents} documents, {passages} passages of its own.\n"
            f"{self._shared_line(interaction.guild_id, own=live is not None)}\n"
            f"{vectors_line(live or self.bot.live)}.\n"
            f"Since I started {since}: {stats.answered} questions answered here, {stats.unsure} answered unsure, "
            f"{stats.declined} declined.\n"
            f"Kept for `/corpus gaps` (last {kept} days): {totals.questions} questions ({totals.answered} answered, "
            f"{totals.unsure} unsure, {totals.declined} declined); {totals.likes} 👍, {totals.dislikes} 👎."
        )
        await delivery.respond(interaction, ephemeral=True, content=text, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="gaps", description="Questions asked here that I declined, was unsure of, or got 👎.")
    @app_commands.describe(days=f"How many days back to look (default {GAPS_DAYS})")
    async def gaps(self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 3650] = GAPS_DAYS) -> None:
        assert interaction.guild_id is not None, "guild_only"
        kept = self._kept_days(interaction.guild_id)
        since = time.time() - min(days, kept) * DAY
        gaps, documents = await self.bot.questions.gaps(interaction.guild_id, since, documents=DISLIKED_DOCUMENTS)
        embed = gaps_embed(gaps, documents, days=days, kept_days=kept)
        await delivery.respond(interaction, ephemeral=True, embed=embed, allowed_mentions=NO_MENTIONS)

    def _kept_days(self, guild_id: int) -> int:
        return self.bot.server_settings_of(guild_id).question_retention_days or 0

    @app_commands.command(name="settings", description="Show or change this server's settings (Manage Server).")
    @app_commands.describe(
        include_shared="Answer from the shared documents as well as this server's own",
        moderator_role="A role that may use /corpus besides Manage Server",
        mod_log_channel="The channel that hears about corpus changes",
        allowed_channels="Channels where I answer, e.g. #help #questions, or 'all'",
        auto_answer_channels="Forums or channels whose new threads I answer by myself when sure, or 'none'",
        question_retention_days="Days questions and 👍/👎 are kept for /corpus gaps (0: none kept)",
        reset="Put one setting back to its default",
    )
    @app_commands.choices(
        reset=[app_commands.Choice(name=option_name(field), value=option_name(field)) for field in ServerSettings.model_fields]
    )
    async def settings(
        self,
        interaction: discord.Interaction,
        include_shared: bool | None = None,
        moderator_role: discord.Role | None = None,
        mod_log_channel: discord.TextChannel | None = None,
        allowed_channels: app_commands.Range[str, 1, 1000] | None = None,
        auto_answer_channels: app_commands.Range[str, 1, 1000] | None = None,
        question_retention_days: app_commands.Range[int, 0, 3650] | None = None,
        reset: str | None = None,
    ) -> None:
        checks.ensure_manager(interaction)
        guild = interaction.guild
        assert guild is not None and interaction.guild_id is not None, "guild_only"
        store = self.bot.server_settings
        own = store.get(interaction.guild_id)
        changes: dict[str, object] = {
            "include_shared": include_shared,
            "moderator_role_id": moderator_role.id if moderator_role else None,
            "mod_log_channel_id": mod_log_channel.id if mod_log_channel else None,
            "allowed_channel_ids": None if allowed_channels is None else channels_in(guild, allowed_channels),
            "auto_answer_channel_ids": None
            if auto_answer_channels is None
            else channels_in(guild, auto_answer_channels, empty=NO_CHANNEL, kinds=THREAD_CHANNELS),
            "question_retention_days": question_retention_days,
        }
        update = {field: value for field, value in changes.items() if value is not None}
        if reset is not None:
            update[field_of(reset)] = None
        if update:
            own = own.model_copy(update=update)
            try:
                await asyncio.to_thread(store.save, interaction.guild_id, own)
            except CorpusError as error:
                raise checks.Refused(f"The settings could not be saved ({error}); nothing changed.") from None
            log.info("Settings of server %s changed: %s", guild.id, update)
            log.debug("Settings of server %s changed by user %s", guild.id, interaction.user.id)
        heading = "Saved. This server's settings:" if update else "This server's settings (change them with the options of `/corpus settings`):"
        lines = [heading, *describe(own, defaults_for(self.bot.settings, guild))]
        if own.auto_answer_channel_ids and not self.bot.reads_message_content:
            lines.append(AUTO_ANSWER_OFF)
        await delivery.respond(
            interaction, ephemeral=True, content=clip("\n".join(lines), MESSAGE_LIMIT), allowed_mentions=NO_MENTIONS
        )


def channels_in(
    guild: discord.Guild,
    text: str,
    *,
    empty: Sequence[str] = EVERY_CHANNEL,
    kinds: tuple[type[discord.abc.GuildChannel], ...] = (discord.abc.GuildChannel,),
) -> tuple[int, ...]:
    """The channels of ``guild`` that ``text`` names (mentions, ids or ``#name``); ``()`` for one of the
    ``empty`` words ("all" where no channel means every channel).

    Raises ``Refused`` naming what is not a channel of this server, or not one of ``kinds``.
    """
    if text.strip().lower() in empty:
        return ()
    found: list[int] = []
    for mention, bare_id, name in _CHANNEL_MENTION.findall(text):
        channel = (
            guild.get_channel(int(mention or bare_id))
            if mention or bare_id
            else discord.utils.get(guild.channels, name=name)
        )
        named = f"#{name}" if name else f"<#{mention or bare_id}>"
        if channel is None or isinstance(channel, discord.CategoryChannel):
            raise checks.Refused(f"{named} is not a channel of this server; nothing changed.")
        if not isinstance(channel, kinds):
            raise checks.Refused(f"{named} cannot hold threads; name forums or text channels. Nothing changed.")
        found.append(channel.id)
    if not found:
        raise checks.Refused(
            f"Name the channels with #, e.g. `#help #questions`, or write `{empty[0]}`; nothing changed."
        )
    return tuple(dict.fromkeys(found))


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(CorpusAdmin(bot))
