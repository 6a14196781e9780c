"""Where each server's files live: one folder per server, under ``QUOTEBOT_SERVER_CORPORA``.

``<root>/<guild id>/`` holds everything of one server and nothing of any
other, so a server's data is removed, backed up or inspected as one folder,
and a change in one server provably touches no file outside its folder:

- ``documents/``: its own corpus (``.md``/``.txt``, with the index cache in
  ``documents/.quotebot-cache/``);
- ``settings.json``: what its managers set with ``/corpus settings``;
- ``.left``: present once the bot has left the server (``retention``).

Per-server data added later belongs in this folder too. ``<root>/.shared-corpus-version``
is the one file outside them: the signal that the shared corpus changed.
"""

from __future__ import annotations

from pathlib import Path

DOCUMENTS = "documents"
SETTINGS = "settings.json"
LEFT_MARKER = ".left"
SHARED_SIGNAL = ".shared-corpus-version"


class ServerFolders:
    """The layout under ``root``; nothing is created until something is written."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def of(self, guild_id: int) -> Path:
        return self.root / str(guild_id)

    def documents(self, guild_id: int) -> Path:
        return self.of(guild_id) / DOCUMENTS

    def settings_file(self, guild_id: int) -> Path:
        return self.of(guild_id) / SETTINGS

    def left_marker(self, guild_id: int) -> Path:
        return self.of(guild_id) / LEFT_MARKER

    @property
    def shared_signal(self) -> Path:
        return self.root / SHARED_SIGNAL

    def guild_ids(self) -> list[int]:
        """The servers that have a folder (names that are not ids, e.g. hidden ones, are not servers)."""
        if not self.root.is_dir():
            return []
        return sorted(int(path.name) for path in self.root.iterdir() if path.name.isdigit() and path.is_dir())


def corpus_name(guild_id: int) -> str:
    """The name a server's corpus has in the ``CorpusLibrary``."""
    return str(guild_id)
