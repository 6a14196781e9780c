"""Per-server settings on disk: one small JSON file per server, written atomically, read once and kept.

The bot reads them with ``fetch``, which goes to the disk (in a worker
thread) only for a server not in memory: the folder may be on a network
volume, and a slow read on the event loop would stall every server.

JSON rather than a database (as the question log, ``question_db``, is): a
handful of values per server, written only when a manager changes them,
readable and fixable by hand. Only the
process serving a server writes its file (``sharding``), so the copy kept in
memory is never stale. A file that cannot be read or parsed is logged and
treated as "nothing set", so a damaged file never stops the bot from answering.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import OrderedDict

from pydantic import ValidationError

from quotebot.bot.servers.folders import ServerFolders
from quotebot.bot.servers.settings import ServerSettings
from quotebot.retrieval import write_durably

log = logging.getLogger(__name__)

#: Servers whose settings stay in memory; the rest are read again when needed (a few hundred bytes each).
KEPT = 10_000


class ServerSettingsStore:
    """Each server's ``ServerSettings``, read from ``folders.settings_file`` on first use."""

    def __init__(self, folders: ServerFolders, *, kept: int = KEPT) -> None:
        self._folders = folders
        self._kept = kept
        self._cache: OrderedDict[int, ServerSettings] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, guild_id: int) -> ServerSettings:
        """The server's settings, read from disk if not in memory (blocking: from a worker thread or a command line)."""
        return self._from_memory(guild_id) or self._keep(guild_id, self._read(guild_id))

    async def fetch(self, guild_id: int) -> ServerSettings:
        """The server's settings, at once when in memory, else read in a worker thread."""
        return self._from_memory(guild_id) or await asyncio.to_thread(self.get, guild_id)

    def _from_memory(self, guild_id: int) -> ServerSettings | None:
        with self._lock:
            found = self._cache.get(guild_id)
            if found is not None:
                self._cache.move_to_end(guild_id)
            return found

    def save(self, guild_id: int, settings: ServerSettings) -> None:
        """Write ``settings`` (blocking: call it from a worker thread); raises ``CorpusError`` when it cannot."""
        path = self._folders.settings_file(guild_id)
        text = json.dumps(settings.model_dump(exclude_none=True), indent=2, sort_keys=True) + "\n"
        write_durably(path, text.encode(), temporary_prefix=".settings-")
        self._keep(guild_id, settings)

    def forget(self, guild_id: int) -> None:
        with self._lock:
            self._cache.pop(guild_id, None)

    def _read(self, guild_id: int) -> ServerSettings:
        path = self._folders.settings_file(guild_id)
        try:
            return ServerSettings.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            return ServerSettings()
        except (OSError, ValueError, ValidationError) as error:
            log.warning("Ignoring the settings of server %s in %s (%s); using the defaults", guild_id, path, error)
            return ServerSettings()

    def _keep(self, guild_id: int, settings: ServerSettings) -> ServerSettings:
        with self._lock:
            self._cache[guild_id] = settings
            self._cache.move_to_end(guild_id)
            while len(self._cache) > self._kept:
                self._cache.popitem(last=False)
        return settings
