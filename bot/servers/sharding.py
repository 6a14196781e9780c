"""Which servers this process serves: those on its shards, as Discord assigns them.

Discord sends a server's events, interactions included, over shard
``(guild_id >> 22) % shard_count`` only, so a process serving some shards
hears from exactly their servers; it must also be the only one that loads or
writes their corpora (``CorpusLibrary`` trusts that no other process writes a
name it serves). Direct messages arrive on shard 0.
"""

from __future__ import annotations

from dataclasses import dataclass


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends ``guild_id``'s events over."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True)
class Shards:
    """The shards of this process: ``ids`` of ``count``; no count (Discord's recommendation) or no ids means all."""

    count: int | None = None
    ids: tuple[int, ...] = ()

    @property
    def serves_all(self) -> bool:
        return self.count is None or not self.ids

    def owns(self, guild_id: int) -> bool:
        """Whether ``guild_id`` is on one of this process's shards."""
        return self.count is None or not self.ids or shard_of(guild_id, self.count) in self.ids

    def describe(self) -> str:
        if self.count is None:
            return "all shards (as many as Discord recommends)"
        if not self.ids:
            return f"all {self.count} shards"
        return f"shard{'s' if len(self.ids) > 1 else ''} {', '.join(map(str, self.ids))} of {self.count}"
