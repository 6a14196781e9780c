"""``/corpus reload``, ``add``, ``refresh``, ``remove`` and ``list``: moderators keep their server's documents current.

Every subcommand acts on the invoking server's own documents (its folder,
``servers/<guild id>/documents``), so nothing a moderator of one server does
changes what another server's members see. ``shared:True`` acts on the
shared corpus instead, which only the bot's owner may change
(``targets.target_for``); the change then reaches every running process
(``SharedCorpus``). File changes and index builds run in worker threads, one
at a time per corpus; the index is swapped in only once it is complete, so
members keep getting answers from the old one meanwhile. Replies go through
``bot.delivery``; a change in flight holds a stop back (``bot.shutdown``)
until it is done or the stop runs out of patience.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from quotebot.bot import delivery
from quotebot.bot.delivery import NO_MENTIONS
from quotebot.bot.exts.corpus.sources import (
    archive_name,
    fetch_policy,
    not_added_line,
    refresh_lines,
    refuse_unfetchable,
)
from quotebot.bot.exts.corpus.targets import (
    Change,
    CorpusTarget,
    FileOperation,
    SharedCorpusTarget,
    documents_of,
    served_by,
    shared_line,
    target_for,
)
from quotebot.bot.render import MESSAGE_LIMIT, clip, escape
from quotebot.bot.services import Services
from quotebot.bot.utils import checks
from quotebot.bot.utils.views import View
from quotebot.retrieval import CorpusError, ReloadReport, remove_document, safe_name, save_upload
from quotebot.retrieval.ingest.archive import ArchiveImport, import_archive
from quotebot.retrieval.web.fetch import fetch
from quotebot.retrieval.web.links import link_documents, refresh_links, save_fetched, write_refreshed

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

    def __init__(self, commands: DocumentCommands, target: CorpusTarget, document_id: str, moderator_id: int) -> None:
        super().__init__(lifetime=CONFIRM_TIMEOUT)
        self.commands = commands
        self.target = target
        self.document_id = document_id
        self.moderator_id = moderator_id

    @discord.ui.button(label="Remove", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction[QuoteBot], button: discord.ui.Button[ConfirmRemoval]) -> None:
        checks.ensure_asker(interaction, self.moderator_id)
        self.stop()
        with self.commands.services.shutdown.track():
            await delivery.respond(
                interaction,
                update=True,
                content=f"Removing `{self.document_id}`…",
                view=None,
                allowed_mentions=NO_MENTIONS,
            )
            document_id = self.document_id
            text = await self.commands.change(
                interaction, self.target, f"Removing `{document_id}`", lambda folder: remove_document(folder, document_id)
            )
            await delivery.edit_original(interaction, content=text, allowed_mentions=NO_MENTIONS)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[QuoteBot], button: discord.ui.Button[ConfirmRemoval]) -> None:
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


class DocumentCommands:
    """``/corpus reload``, ``add``, ``refresh``, ``remove`` and ``list``, a part of the ``/corpus`` group
    (``exts.corpus``)."""

    bot: QuoteBot
    services: Services

    async def change(
        self, interaction: discord.Interaction[QuoteBot], target: CorpusTarget, action: str, operation: FileOperation | None
    ) -> str:
        """Apply ``operation`` to ``target``'s folder and reload, off the event loop; the reply text.

        A failure leaves the old corpus serving and says why; every change is
        logged with who made it, and posted to the server's moderator log.
        """
        try:
            done: Change = await self.services.shutdown.unless_stopped(target.change(operation))
        except CorpusError as error:
            return await self._failed(interaction, action, error)
        text = describe_reload(target.title, done.report)
        if target.shared:
            text += f"\nEvery running quotebot process reloads it within {self.services.settings.shared_poll_seconds:g} s."
        if done.note:
            text += f"\n{done.note}"
        await self._audit(interaction, f"{action}: {text}")
        return clip(text, MESSAGE_LIMIT)

    async def _failed(self, interaction: discord.Interaction[QuoteBot], action: str, error: CorpusError) -> str:
        """The one line saying why ``action`` failed and that nothing changed (audited like a change)."""
        text = f"{action} failed: {escape(str(error))}. The corpus in use has not changed."
        await self._audit(interaction, text)
        return text

    async def _audit(self, interaction: discord.Interaction[QuoteBot], text: str) -> None:
        """Log a change (who made it at DEBUG only), and post it with who made it to this server's moderator log
        channel if it has one."""
        moderator, guild_id = interaction.user, interaction.guild_id
        log.info("Corpus change in server %s: %s", guild_id, text)
        log.debug("Corpus change in server %s made by user %s", guild_id, moderator.id)
        channel_id = (await self.services.policy.settings_of(guild_id)).mod_log_channel_id if guild_id else None
        if channel_id is None:
            return
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            guild = getattr(channel, "guild", None)
            if not isinstance(channel, discord.abc.Messageable) or guild is None:
                raise TypeError(f"{channel!r} is not a text channel")
            if guild.id != guild_id:
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
    async def reload(self, interaction: discord.Interaction[QuoteBot], shared: bool = False) -> None:
        target = await target_for(interaction, shared)
        with self.services.shutdown.track():
            await delivery.acknowledge(interaction, ephemeral=True)
            text = await self.change(interaction, target, "Reload", None)
            await delivery.respond(interaction, ephemeral=True, content=text, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="add", description="Add a document (a file, a .zip of them, or a web page by link), then reload.")
    @app_commands.describe(
        file="A .md, .txt, .html or .pdf document (replaces one of the same name), or a .zip of them",
        url="The web page or PDF to fetch and add; with a file, the link to the file's original",
        title="Title to record (overrides the document's)",
        author="Author to record",
        shared="Add it to the shared corpus instead (the bot's owner only)",
    )
    async def add(
        self,
        interaction: discord.Interaction[QuoteBot],
        file: discord.Attachment | None = None,
        url: app_commands.Range[str, 1, 500] | None = None,
        title: app_commands.Range[str, 1, 200] | None = None,
        author: app_commands.Range[str, 1, 200] | None = None,
        shared: bool = False,
    ) -> None:
        if file is None and url is None:
            raise checks.Refused("Give a `file` to upload or a `url` to fetch.")
        target = await target_for(interaction, shared, writes=True)
        if file is None:
            await self._add_link(interaction, target, url or "", title, author)
            return
        limit = self.services.settings.max_upload_bytes
        # Name and size are checked before downloading: Discord reports both, and a
        # file that will be refused anyway should never be read.
        archive = file.filename.lower().endswith(".zip")
        try:
            name = archive_name(file.filename) if archive else safe_name(file.filename)
        except CorpusError as error:
            raise checks.Refused(f"Cannot add `{escape(file.filename)}`: {error}.") from None
        if file.size > limit:
            raise checks.Refused(f"`{name}` is {file.size:,} bytes; the limit is {limit:,}.")
        with self.services.shutdown.track():
            await delivery.acknowledge(interaction, ephemeral=True)
            raw = await delivery.deliver("GET attachment", file.read)
            if archive:
                text = await self._add_archive(interaction, target, name, raw)
            else:
                text = await self.change(
                    interaction,
                    target,
                    f"Adding `{name}`",
                    lambda folder: save_upload(
                        folder, file.filename, raw, title=title, author=author, url=url, max_bytes=limit
                    ),
                )
            await delivery.respond(interaction, ephemeral=True, content=text, allowed_mentions=NO_MENTIONS)

    async def _add_link(
        self,
        interaction: discord.Interaction[QuoteBot],
        target: CorpusTarget,
        url: str,
        title: str | None,
        author: str | None,
    ) -> None:
        """Fetch the page, extract it and add it with its link; a refused link is refused before deferring."""
        policy = fetch_policy(self.services.settings)
        refuse_unfetchable(url, policy)
        action = f"Adding <{url}>"
        with self.services.shutdown.track():
            await delivery.acknowledge(interaction, ephemeral=True)
            try:
                fetched = await fetch(url, policy)
            except CorpusError as error:
                text = await self._failed(interaction, action, error)
            else:
                text = await self.change(
                    interaction,
                    target,
                    action,
                    lambda folder: save_fetched(folder, fetched, title=title, author=author, max_bytes=policy.max_bytes),
                )
            await delivery.respond(interaction, ephemeral=True, content=text, allowed_mentions=NO_MENTIONS)

    async def _add_archive(
        self, interaction: discord.Interaction[QuoteBot], target: CorpusTarget, name: str, raw: bytes
    ) -> str:
        """Import the archive's documents; the reload's report, then the entries refused, by name."""
        imported: list[ArchiveImport] = []
        text = await self.change(
            interaction, target, f"Adding `{name}`", lambda folder: imported.append(import_archive(folder, raw))
        )
        if imported and imported[0].refused:
            text += "\n" + not_added_line(name, imported[0].refused)
        return clip(text, MESSAGE_LIMIT)

    @app_commands.command(name="refresh", description="Fetch the documents added by link again, and reload the changed ones.")
    @app_commands.describe(shared="Refresh the shared corpus's instead (the bot's owner only)")
    async def refresh(self, interaction: discord.Interaction[QuoteBot], shared: bool = False) -> None:
        target = await target_for(interaction, shared, writes=True)
        live = await served_by(interaction, target)
        links = link_documents(live.engine.documents) if live is not None else []
        if not links:
            raise checks.Refused(f"{target.title} has no documents added by link (`/corpus add url:` adds one).")
        settings = self.services.settings
        with self.services.shutdown.track():
            await delivery.acknowledge(interaction, ephemeral=True)
            results = await refresh_links(links, fetch_policy(settings), max_bytes=settings.max_upload_bytes)
            written: list[str] = []
            text = await self.change(
                interaction, target, "Refresh", lambda folder: written.extend(write_refreshed(folder, results))
            )
            text = clip("\n".join([text, *refresh_lines(results, written)]), MESSAGE_LIMIT)
            await delivery.respond(interaction, ephemeral=True, content=text, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="remove", description="Remove one of this server's documents (asks to confirm).")
    @app_commands.describe(
        document="The document's id (its file name)", shared="Remove it from the shared corpus (the bot's owner only)"
    )
    async def remove(self, interaction: discord.Interaction[QuoteBot], document: str, shared: bool = False) -> None:
        target = await target_for(interaction, shared, writes=True)
        live = await served_by(interaction, target)
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
    async def _document_choices(self, interaction: discord.Interaction[QuoteBot], current: str) -> list[app_commands.Choice[str]]:
        """This server's documents only (the shared ones for the owner who picked ``shared``)."""
        if not await checks.is_moderator(interaction):
            return []
        try:
            target = await target_for(interaction, bool(getattr(interaction.namespace, "shared", False)))
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
    async def list_documents(self, interaction: discord.Interaction[QuoteBot], shared: bool = False) -> None:
        target: CorpusTarget = SharedCorpusTarget(self.services) if shared else await target_for(interaction, False)
        live = await served_by(interaction, target)
        engine = live.engine if live is not None else None
        lines = [f"{target.title}: {len(engine.documents) if engine else 0} documents."]
        if engine is not None:
            counts = Counter(passage.document.id for passage in engine.passages)
            lines += [
                f"`{doc.id}` — {escape(clip(doc.title, 100))} ({counts[doc.id]} passages)" for doc in engine.documents
            ]
        if not target.shared:
            lines.append(await shared_line(self.services, interaction.guild_id, own=engine is not None))
        await delivery.respond(
            interaction, ephemeral=True, content=clip("\n".join(lines), MESSAGE_LIMIT), allowed_mentions=NO_MENTIONS
        )
