"""A ``.zip`` of documents, for a first import: every entry checked, the usable ones added, the others named.

A zip is a classic way to attack whoever unpacks it, so nothing in it is
trusted: the number of entries, their total size and each entry's
compression ratio are bounded before anything is decompressed (and the bytes
read are counted again, as the sizes a zip declares can lie); an entry whose
path would leave the corpus folder, a link, a hidden file or a kind quotebot
does not read is refused by name. Each usable entry goes through the same
checks and extraction as a single upload (``store.prepare_document``), and
all of them are written only once every entry has been judged.
"""

from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from quotebot.retrieval.ingest.loader import MAX_DOCUMENT_BYTES, CorpusError
from quotebot.retrieval.ingest.store import (
    ADDABLE_SUFFIXES,
    check_room,
    prepare_document,
    safe_name,
    write_prepared,
)

MAX_ENTRIES = 500
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_DEPTH = 4


@dataclass(frozen=True)
class Refused:
    """An entry of the archive that was not added, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class ArchiveImport:
    """The documents an archive added (their ids) and the entries it refused."""

    added: tuple[str, ...]
    refused: tuple[Refused, ...]


def import_archive(folder: Path, raw: bytes) -> ArchiveImport:
    """Add every usable document of the zip ``raw`` to ``folder``, keeping its sub-folders.

    Raises ``CorpusError`` (nothing written) when the zip itself is unusable
    or none of its entries is.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise CorpusError("not a readable .zip file") from None
    files = [entry for entry in entries if not entry.is_dir()]
    if len(files) > MAX_ENTRIES:
        raise CorpusError(f"the archive holds {len(files):,} files; at most {MAX_ENTRIES:,} can be imported at once")
    declared = sum(entry.file_size for entry in files)
    if declared > MAX_TOTAL_BYTES:
        raise CorpusError(f"the archive unpacks to {declared:,} bytes; the limit is {MAX_TOTAL_BYTES:,}")
    prepared: dict[str, tuple[bytes, tuple[str, bytes] | None]] = {}
    refused: list[Refused] = []
    read = 0
    for entry in files:
        try:
            target = _target_name(entry)
            data = _read(archive, entry, MAX_TOTAL_BYTES - read)
            read += len(data)
            name, text, original = prepare_document(target, data, max_bytes=MAX_DOCUMENT_BYTES)
            folder_part = PurePosixPath(target).parent
            name = (folder_part / name).as_posix()
            original = None if original is None else ((folder_part / original[0]).as_posix(), original[1])
            if name in prepared:
                raise CorpusError(f"another entry is already added as {name}")
            prepared[name] = (text, original)
        except CorpusError as error:
            refused.append(Refused(entry.filename, str(error)))
    if not prepared:
        raise CorpusError("nothing in the archive could be added: " + describe_refused(refused))
    check_room([(name, text) for name, (text, _) in prepared.items()])  # all or nothing
    for name, (text, original) in prepared.items():
        write_prepared(folder, name, text, original)
    return ArchiveImport(tuple(prepared), tuple(refused))


def describe_refused(refused: tuple[Refused, ...] | list[Refused], shown: int = 10) -> str:
    """``a.exe (not a document); b.md (…)`` for the first ``shown`` refused entries, then how many more."""
    text = "; ".join(f"{entry.name} ({entry.reason})" for entry in refused[:shown])
    more = len(refused) - shown
    return text + (f"; and {more} more" if more > 0 else "")


def _target_name(entry: zipfile.ZipInfo) -> str:
    """The entry's path in the corpus: each folder part reduced to a slug, the file name as an upload's."""
    if stat.S_ISLNK(entry.external_attr >> 16):
        raise CorpusError("a link, not a file")
    path = entry.filename.replace("\\", "/")
    parts = PurePosixPath(path).parts
    if path.startswith("/") or ".." in parts or (parts and parts[0].endswith(":")):
        raise CorpusError("its path leads outside the folder")
    if any(part.startswith((".", "__MACOSX")) for part in parts):
        raise CorpusError("a hidden or system file")
    if PurePosixPath(path).suffix.lower() not in ADDABLE_SUFFIXES:
        raise CorpusError(f"not a kind of document quotebot reads ({', '.join(ADDABLE_SUFFIXES)})")
    if len(parts) > MAX_DEPTH:
        raise CorpusError(f"nested more than {MAX_DEPTH - 1} folders deep")
    folders = [safe_name(part + ".md")[:-3] for part in parts[:-1]]
    return PurePosixPath(*folders, safe_name(parts[-1])).as_posix()


def _read(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, room: int) -> bytes:
    """The entry's bytes, refusing a suspicious compression ratio and reading no more than it declared."""
    if entry.file_size > MAX_DOCUMENT_BYTES:
        raise CorpusError(f"larger than the {MAX_DOCUMENT_BYTES:,}-byte limit for one document")
    if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO:
        raise CorpusError(f"compressed more than {MAX_RATIO}:1, refused as a possible zip bomb")
    limit = min(entry.file_size, room)
    try:
        with archive.open(entry) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, ValueError, OSError) as error:
        raise CorpusError(f"cannot be unpacked ({error})") from None
    if len(data) > limit:
        raise CorpusError("larger than the archive says it is")
    return data
