"""Writing a small file so that a reader, or a crash, only ever finds the old version or the new one.

Corpus uploads, per-server settings and the signal that tells other processes
a corpus changed are all written this way: to a hidden temporary file in the
same folder, flushed to disk, renamed over the target, and the folder flushed
so the rename itself survives a power cut. The loader skips hidden files, so
a temporary file left by a killed process is never read as a document.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from quotebot.retrieval.ingest.loader import CorpusError

TEMPORARY_SUFFIX = ".tmp"


def write_durably(target: Path, raw: bytes, *, temporary_prefix: str = ".write-") -> None:
    """Replace ``target`` with ``raw`` atomically and durably; ``CorpusError`` (with the reason) when it cannot."""
    temporary: Path | None = None
    try:
        make_folder(target.parent)
        with tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=temporary_prefix, suffix=TEMPORARY_SUFFIX, delete=False
        ) as handle:
            temporary = Path(handle.name)
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        sync_folder(target.parent)
    except BaseException as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise CorpusError(f"cannot write {target.name} ({error.strerror or error})") from None
        raise


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
