"""The corpus a ``/corpus`` command acts on: the invoking server's own, or (for the owner) the shared one.

Both offer the same three things, the documents served now, a change (a
blocking file operation on the folder, then a reload), and names for
replies, so the commands are written once. Who may pick which is decided
by the command (``checks.ensure_owner`` for the shared corpus), never here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from quotebot.bot.servers.folders import corpus_name
from quotebot.retrieval import Document, LiveEngine, ReloadReport

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

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

    bot: QuoteBot
    guild_id: int
    title: str = "This server's corpus"
    shared: bool = False

    @property
    def folder(self) -> Path:
        return self.bot.corpora.folder(corpus_name(self.guild_id))

    @property
    def in_memory(self) -> bool:
        return self.bot.corpora.in_memory(corpus_name(self.guild_id))

    async def served(self) -> LiveEngine | None:
        return await asyncio.to_thread(self.bot.corpora.engine, corpus_name(self.guild_id))

    async def change(self, operation: FileOperation | None) -> Change:
        report = await asyncio.to_thread(self.bot.corpora.change, corpus_name(self.guild_id), operation)
        return Change(report)


@dataclass(frozen=True)
class SharedCorpusTarget:
    """The shared corpus: changed here, then announced to every other process."""

    bot: QuoteBot
    title: str = "The shared corpus"
    shared: bool = True

    @property
    def folder(self) -> Path:
        return self.bot.live.folder

    @property
    def in_memory(self) -> bool:
        return True

    async def served(self) -> LiveEngine | None:
        return self.bot.live

    async def change(self, operation: FileOperation | None) -> Change:
        folder = self.folder
        done = await self.bot.shared.change(None if operation is None else lambda: operation(folder))
        note = None if done.unannounced is None else f"Other processes were not told ({done.unannounced})."
        return Change(done.report, note)
