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

import re
import unicodedata
from pathlib import Path, PurePosixPath

import yaml

from quotebot.retrieval.ingest.citation import is_web_url
from quotebot.retrieval.ingest.durable import TEMPORARY_SUFFIX, sync_folder, write_durably
from quotebot.retrieval.ingest.loader import DOCUMENT_SUFFIXES, METADATA_KEYS, CorpusError, parse_document
from quotebot.retrieval.ingest.models import Document

MAX_NAME_CHARS = 80
_UPLOAD_PREFIX = ".upload-"


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
    write_durably(target, raw, temporary_prefix=_UPLOAD_PREFIX)
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
    sync_folder(path.parent)
    return path


def remove_interrupted_writes(folder: Path) -> None:
    """Delete the temporary files of uploads whose process was killed before they were renamed into place.

    Only one write runs at a time (the bot serialises corpus changes), so any
    such file left when a new one starts is garbage.
    """
    for leftover in folder.glob(f"{_UPLOAD_PREFIX}*{TEMPORARY_SUFFIX}"):
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
