"""A server's files after the bot leaves it: kept for ``QUOTEBOT_LEFT_SERVER_DAYS``, then deleted.

Being removed from a server is often a mistake undone within days (a
kicked bot re-invited, a permissions clean-up), and a community's uploaded
documents should survive that. So leaving only drops the server's index from
memory and writes a ``.left`` marker with the time; coming back removes the
marker. The process serving the server deletes folders whose marker is older
than the grace period (at start-up and hourly); ``quotebot corpus purge``
does it from the shell, ``--now`` without waiting. A folder is renamed to a
hidden name before it is deleted, so a deletion cut short never leaves half a
server behind under its real name.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import time
from collections.abc import Iterable

from quotebot.bot.servers.folders import ServerFolders
from quotebot.retrieval import CorpusError, write_durably

log = logging.getLogger(__name__)

DAY = 24 * 60 * 60.0


def mark_left(folders: ServerFolders, guild_id: int, *, now: float | None = None) -> bool:
    """Record that the bot left ``guild_id``; ``False`` when the server has no files (nothing to keep)."""
    folder = folders.of(guild_id)
    if not folder.is_dir() or folders.left_marker(guild_id).exists():
        return False
    try:
        write_durably(folders.left_marker(guild_id), f"{time.time() if now is None else now}\n".encode())
    except CorpusError as error:
        log.warning("Could not mark server %s as left: %s", guild_id, error)
        return False
    return True


def mark_present(folders: ServerFolders, guild_id: int) -> bool:
    """The bot is in ``guild_id`` (again): its files are no longer due for deletion. ``True`` if they were."""
    marker = folders.left_marker(guild_id)
    try:
        marker.unlink()
    except FileNotFoundError:
        return False
    except OSError as error:
        log.warning("Could not mark server %s as present again: %s", guild_id, error)
        return False
    return True


def left_at(folders: ServerFolders, guild_id: int) -> float | None:
    """When the bot left ``guild_id`` (a Unix time), or ``None`` if it has not (or the marker is unreadable)."""
    try:
        return float(folders.left_marker(guild_id).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def due(folders: ServerFolders, guild_ids: Iterable[int], *, days: float, now: float | None = None) -> list[int]:
    """Those of ``guild_ids`` the bot left more than ``days`` ago."""
    now = time.time() if now is None else now
    return [
        guild_id
        for guild_id in guild_ids
        if (since := left_at(folders, guild_id)) is not None and now - since >= days * DAY
    ]


def purge(folders: ServerFolders, guild_id: int) -> None:
    """Delete everything of ``guild_id``: renamed out of the way first, then removed; ``CorpusError`` if it cannot."""
    folder = folders.of(guild_id)
    doomed = folder.with_name(f".purging-{guild_id}-{secrets.token_hex(4)}")
    try:
        folder.rename(doomed)
    except OSError as error:
        raise CorpusError(f"cannot delete {folder} ({error.strerror or error})") from None
    shutil.rmtree(doomed, ignore_errors=True)
    log.info("Deleted the files of server %s, which the bot left", guild_id)
