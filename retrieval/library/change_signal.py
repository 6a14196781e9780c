"""Telling every process that serves a corpus that it changed, through one small file.

Processes sharing a corpus folder (one per group of Discord shards, possibly
on several hosts over a shared volume) cannot see each other's reloads. The
one that changed the corpus, or ``quotebot corpus reload`` run by a person,
writes a new random token to this file; every process reads it every few
seconds and reloads when the token differs from the one it last saw. Nothing
else needs to run (no message broker, no open port), it works wherever the
folder is shared, and a person can trigger it by hand (``touch`` is not
enough: the content must change, so that file systems with coarse
modification times cannot hide a change).
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from quotebot.retrieval.ingest.durable import write_durably


class ChangeSignal:
    """The file at ``path``: ``announce()`` writes a fresh token, ``read()`` returns the current one."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def announce(self) -> str:
        """Write a token no other announcement has written; raises ``CorpusError`` when the file cannot be written."""
        token = f"{time.time_ns()}-{os.getpid()}-{secrets.token_hex(4)}"
        write_durably(self.path, (token + "\n").encode(), temporary_prefix=f".{self.path.name}-")
        return token

    def read(self) -> str | None:
        """The current token, or ``None`` when nothing was ever announced (or the file cannot be read)."""
        try:
            return self.path.read_text(encoding="utf-8").strip() or None
        except (OSError, UnicodeDecodeError):
            return None
