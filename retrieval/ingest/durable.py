"""Writing a file so that a reader, or a crash, only ever finds the old version or the new one.

Every file quotebot replaces is written this way (``replacing``): corpus
uploads, per-server settings, the signal that tells other processes a corpus
changed, index caches and vector stores. It goes to a hidden temporary file in
the same folder, is flushed to disk, renamed over the target, and the folder
is flushed so the rename itself survives a power cut. The loader skips hidden
files, so a temporary file left by a killed process is never read as a document.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from quotebot.retrieval.ingest.loader import CorpusError

TEMPORARY_SUFFIX = ".tmp"


@contextlib.contextmanager
def replacing(target: Path, *, temporary_prefix: str) -> Iterator[IO[bytes]]:
    """A file to write ``target``'s new content to; when the block ends it replaces ``target`` atomically and
    durably (file flushed, renamed, folder flushed). On any failure ``target`` is left as it was, the
    temporary file is removed, and the error (an ``OSError`` for the disk) is raised."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=temporary_prefix, suffix=TEMPORARY_SUFFIX, delete=False
        ) as handle:
            temporary = Path(handle.name)
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise
    sync_folder(target.parent)


def write_durably(target: Path, raw: bytes, *, temporary_prefix: str = ".write-") -> None:
    """Replace ``target`` with ``raw`` atomically and durably; ``CorpusError`` (with the reason) when it cannot."""
    make_folder(target.parent)
    try:
        with replacing(target, temporary_prefix=temporary_prefix) as handle:
            handle.write(raw)
    except OSError as error:
        raise CorpusError(f"cannot write {target.name} ({error.strerror or error})") from None


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename, a deletion) to disk; best effort, as some systems cannot open folders."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def make_folder(folder: Path) -> None:
    """Create ``folder`` and its parents if missing; ``CorpusError`` (with the reason) when it cannot."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CorpusError(f"cannot create the folder {folder} ({error.strerror or error})") from None
