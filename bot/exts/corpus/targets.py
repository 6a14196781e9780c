"""The corpus a ``/corpus`` command acts on: the invoking server's own, or (for the owner) the shared one.

Both offer the same three things, the documents served now, a change (a
blocking file operation on the folder, then a reload), and names for
replies, so the commands are written once. Who may pick which is decided
by ``target_for`` (``checks.ensure_owner`` for the shared corpus).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import discord

from quotebot.bot import delivery
from quotebot.bot.servers.folders import corpus_name
from quotebot.bot.services import Services
from quotebot.bot.utils import checks
from quotebot.retrieval import Document, LiveEngine, ReloadReport, is_shipped

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

SHIPPED_IS_READ_ONLY = (
    "The shared corpus is the one shipped inside quotebot's package, which is never written to. Set "
    "QUOTEBOT_CORPUS to a folder of your own (copy quotebot's `corpus` documents into it to keep them) "
    "and restart quotebot; then it can be changed."
)

FileOperation = Callable[[Path], object]


@dataclass(frozen=True)
class Change:
    """What a change did, and a note for the moderator when something around it did not work out."""

    report: ReloadReport
    note: str | None = None


class CorpusTarget(Protocol):
    #: Names the corpus in replies: "This server's corpus", "The shared corpus".
    title: str
    #: True for the shared corpus.
    shared: bool

    @property
    def folder(self) -> Path: ...

    @property
    def in_memory(self) -> bool:
        """Whether ``served`` answers at once (otherwise it loads the corpus first, which may take a while)."""

    async def served(self) -> LiveEngine | None:
        """What is served now (loaded if it was not in memory); ``None`` for a server without documents."""

    async def change(self, operation: FileOperation | None) -> Change: ...


async def documents_of(target: CorpusTarget) -> tuple[Document, ...]:
    """The documents ``target`` serves now (none for a server without documents of its own)."""
    live = await target.served()
    return live.engine.documents if live is not None else ()


@dataclass(frozen=True)
class ServerCorpus:
    """Server ``guild_id``'s own documents, in its folder; none at all is a valid state (the shared corpus answers)."""

    services: Services
    guild_id: int
    title: str = "This server's corpus"
    shared: bool = False

    @property
    def folder(self) -> Path:
        return self.services.corpora.folder(corpus_name(self.guild_id))

    @property
    def in_memory(self) -> bool:
        return self.services.corpora.in_memory(corpus_name(self.guild_id))

    async def served(self) -> LiveEngine | None:
        return await asyncio.to_thread(self.services.corpora.engine, corpus_name(self.guild_id))

    async def change(self, operation: FileOperation | None) -> Change:
        report = await asyncio.to_thread(self.services.corpora.change, corpus_name(self.guild_id), operation)
        return Change(report)


@dataclass(frozen=True)
class SharedCorpusTarget:
    """The shared corpus: changed here, then announced to every other process."""

    services: Services
    title: str = "The shared corpus"
    shared: bool = True

    @property
    def folder(self) -> Path:
        return self.services.live.folder

    @property
    def in_memory(self) -> bool:
        return True

    async def served(self) -> LiveEngine | None:
        return self.services.live

    async def change(self, operation: FileOperation | None) -> Change:
        folder = self.folder
        done = await self.services.shared.change(None if operation is None else lambda: operation(folder))
        note = None if done.unannounced is None else f"Other processes were not told ({done.unannounced})."
        return Change(done.report, note)


async def target_for(
    interaction: discord.Interaction[QuoteBot], shared: bool, *, writes: bool = False
) -> CorpusTarget:
    """The corpus a command acts on; the shared one only for the owner, and only if it may be written."""
    services = interaction.client.services
    if not shared:
        assert interaction.guild_id is not None, "guild_only"
        return ServerCorpus(services, interaction.guild_id)
    await checks.ensure_owner(interaction)
    target = SharedCorpusTarget(services)
    if writes and is_shipped(target.folder):
        raise checks.Refused(SHIPPED_IS_READ_ONLY)
    return target


async def served_by(interaction: discord.Interaction[QuoteBot], target: CorpusTarget) -> LiveEngine | None:
    """What ``target`` serves, deferring the reply first when it must be loaded (a large corpus may take
    longer than Discord's 3 seconds)."""
    if not target.in_memory:
        await delivery.acknowledge(interaction, ephemeral=True)
    return await target.served()


async def shared_line(services: Services, guild_id: int | None, *, own: bool) -> str:
    """Whether the shared corpus answers here too, and how to see it."""
    shared = services.live.engine
    size = f"the shared corpus ({len(shared.documents)} documents, {len(shared.passages)} passages)"
    if not own:
        return f"Questions here are answered from {size}; `/corpus list shared:True` lists it."
    if guild_id is not None and (await services.policy.settings_of(guild_id)).include_shared:
        return f"Questions here are also answered from {size} (`/corpus settings include_shared:False` stops that)."
    return "The shared corpus is not used here (`/corpus settings include_shared:True` adds it)."
