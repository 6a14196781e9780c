"""Adding and removing corpus files on behalf of moderators.

Uploads come from the internet, so nothing about them is trusted: the file
name is reduced to a slug inside the corpus folder (no separators, no ``..``,
no hidden files), the content must load as a document exactly as the loader
will read it, and the file appears atomically, so a reload running at the
same moment sees either the old file or the complete new one. A process
killed at any point leaves the old or the new corpus: at worst a hidden
temporary file, which the loader never reads and the next write removes.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path, PurePosixPath

import yaml

from quotebot.retrieval.ingest.citation import is_web_url
from quotebot.retrieval.ingest.loader import DOCUMENT_SUFFIXES, METADATA_KEYS, CorpusError, parse_document
from quotebot.retrieval.ingest.models import Document

MAX_NAME_CHARS = 80
_UPLOAD_PREFIX = ".upload-"
_UPLOAD_SUFFIX = ".tmp"


def save_upload(
    folder: Path,
    filename: str,
    raw: bytes,
    *,
    title: str | None = None,
    author: str | None = None,
    url: str | None = None,
    max_bytes: int,
) -> Path:
    """Validate an uploaded document, merge the given metadata into its front matter, and write it.

    A file of the same (safe) name is replaced, which is how a moderator
    updates a document. Raises ``CorpusError`` with a short reason.
    """
    if len(raw) > max_bytes:
        raise CorpusError(f"the file is larger than the {max_bytes:,}-byte limit")
    if url is not None and not is_web_url(url):
        raise CorpusError("the url must be an http:// or https:// link")
    name = safe_name(filename)
    document = parse_document(name, raw)
    overrides = {key: value.strip() for key, value in {"title": title, "author": author, "url": url}.items() if value}
    if overrides:
        raw = _with_front_matter(document, overrides).encode("utf-8")
        parse_document(name, raw)
    target = _inside(folder, name)
    remove_interrupted_writes(folder)
    _write_atomically(target, raw)
    return target


def remove_document(folder: Path, document_id: str) -> Path:
    """Delete the file behind ``document_id`` (its POSIX path relative to ``folder``)."""
    path = _inside(folder, document_id)
    if path.suffix.lower() not in DOCUMENT_SUFFIXES or not path.is_file():
        raise CorpusError(f"no document {document_id!r} in the corpus")
    try:
        path.unlink()
    except OSError as error:
        raise CorpusError(f"cannot delete {document_id!r} ({error.strerror or error})") from None
    _sync_folder(path.parent)
    return path


def remove_interrupted_writes(folder: Path) -> None:
    """Delete the temporary files of uploads whose process was killed before they were renamed into place.

    Only one write runs at a time (the bot serialises corpus changes), so any
    such file left when a new one starts is garbage.
    """
    for leftover in folder.glob(f"{_UPLOAD_PREFIX}*{_UPLOAD_SUFFIX}"):
        leftover.unlink(missing_ok=True)


def safe_name(filename: str) -> str:
    """A plain ``slug.md``/``slug.txt`` name from whatever name the uploader's system gave the file."""
    base = PurePosixPath(filename.replace("\\", "/")).name
    suffix = PurePosixPath(base).suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        raise CorpusError("only .md and .txt files can be added")
    stem = unicodedata.normalize("NFKD", base[: -len(suffix)]).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:MAX_NAME_CHARS].rstrip("-")
    if not slug:
        raise CorpusError("the file name has no letters or digits to name the document by")
    return slug + suffix


def _inside(folder: Path, relative: str) -> Path:
    """``folder / relative``, refusing anything that would land outside the folder."""
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    root = folder.resolve()
    path = (root / relative).resolve()
    if not relative or PurePosixPath(relative).is_absolute() or path == root or not path.is_relative_to(root):
        raise CorpusError(f"{relative!r} is not a file inside the corpus folder")
    return path


def _with_front_matter(document: Document, overrides: dict[str, str]) -> str:
    """The document's text with its metadata, updated by ``overrides``, as YAML front matter."""
    metadata: dict[str, object] = {key: getattr(document, key) for key in METADATA_KEYS if getattr(document, key)}
    metadata.update(document.extra)
    metadata.update(overrides)
    front_matter = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True)
    return f"---\n{front_matter}---\n{document.body}"


def _write_atomically(target: Path, raw: bytes) -> None:
    """Write to a hidden temporary file, flush it to disk, then rename it over ``target`` (and make the rename
    durable): the loader skips hidden files, so no reader ever sees half a file, even after a crash."""
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=_UPLOAD_PREFIX, suffix=_UPLOAD_SUFFIX, delete=False
        ) as handle:
            temporary = Path(handle.name)
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        _sync_folder(target.parent)
    except BaseException as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise CorpusError(f"cannot write {target.name} ({error.strerror or error})") from None
        raise


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename, a deletion) to disk; best effort, as some systems cannot open folders."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
