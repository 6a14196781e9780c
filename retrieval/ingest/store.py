"""Adding and removing corpus files on behalf of moderators.

Uploads come from the internet, so nothing about them is trusted: the file
name is reduced to a slug inside the corpus folder (no separators, no ``..``,
no hidden files), the content must load as a document exactly as the loader
will read it, and the file appears atomically, so a reload running at the
same moment sees either the old file or the complete new one. A process
killed at any point leaves the old or the new corpus: at worst a hidden
temporary file, which the loader never reads and the next write removes.

A web page or PDF is extracted here, once (``formats``): its original is
kept beside the normalised ``.md`` the loader reads, named in that file's
front matter (``original``), and removed with it.

Whoever changes a corpus that has limits (``library.limits``: a server's)
sets ``before_writing`` for the change; every document is passed to it
before it is written (all of an archive's at once), so an addition that would
go over a limit is refused with nothing written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path, PurePosixPath
from typing import TypedDict, Unpack

import yaml

from quotebot.retrieval.ingest.citation import is_web_url
from quotebot.retrieval.ingest.durable import TEMPORARY_SUFFIX, sync_folder, write_durably
from quotebot.retrieval.ingest.formats import EXTRACTED_SUFFIXES, extractor, suffix_of
from quotebot.retrieval.ingest.loader import DOCUMENT_SUFFIXES, METADATA_KEYS, CorpusError, parse_document
from quotebot.retrieval.ingest.models import Document

MAX_NAME_CHARS = 80
#: Every kind of file a moderator may add as one document.
ADDABLE_SUFFIXES = DOCUMENT_SUFFIXES + EXTRACTED_SUFFIXES
#: The front matter key naming the original an extracted document was made from.
ORIGINAL_KEY = "original"
_UPLOAD_PREFIX = ".upload-"

#: For the change under way: a check of the documents about to be written, raising ``CorpusError`` to refuse.
before_writing: ContextVar[Callable[[Sequence[Document]], None] | None] = ContextVar("before_writing", default=None)


def check_room(documents: Sequence[tuple[str, bytes]]) -> None:
    """Pass the documents about to be written (name and text) to the change's ``before_writing`` check, if any."""
    check = before_writing.get()
    if check is not None:
        check([parse_document(name, text) for name, text in documents])


class Metadata(TypedDict, total=False):
    """What a moderator may state about a document, overriding the file's; ``source`` is kept for refreshing."""

    title: str | None
    author: str | None
    url: str | None
    source: Mapping[str, str] | None


def save_upload(folder: Path, filename: str, raw: bytes, *, max_bytes: int, **metadata: Unpack[Metadata]) -> Path:
    """Validate an uploaded document, merge the given metadata into its front matter, and write it.

    A web page or PDF is extracted first, and its original written beside
    the text. A file of the same (safe) name is replaced, which is how a
    moderator updates a document. Returns the text's path; raises
    ``CorpusError`` with a short reason.
    """
    return write_prepared(folder, *prepare_document(filename, raw, max_bytes=max_bytes, **metadata))


def prepare_document(
    filename: str,
    raw: bytes,
    *,
    title: str | None = None,
    author: str | None = None,
    url: str | None = None,
    max_bytes: int,
    source: Mapping[str, str] | None = None,
) -> tuple[str, bytes, tuple[str, bytes] | None]:
    """Everything ``save_upload`` writes, checked, without writing: the text's name and bytes, and the
    original's (for an extracted form). Raises ``CorpusError`` with a short reason."""
    if len(raw) > max_bytes:
        raise CorpusError(f"the file is larger than the {max_bytes:,}-byte limit")
    if url is not None and not is_web_url(url):
        raise CorpusError("the url must be an http:// or https:// link")
    name = safe_name(filename)
    overrides = {key: value.strip() for key, value in {"title": title, "author": author, "url": url}.items() if value}
    overrides.update(source or {})
    extract = extractor(suffix_of(name))
    if extract is None:
        document = parse_document(name, raw)
        if overrides:
            raw = _with_front_matter(document, overrides).encode("utf-8")
            parse_document(name, raw)
        return name, raw, None
    extracted = extract(raw)
    text_name = name.rsplit(".", 1)[0] + ".md"
    metadata = {**extracted.metadata, **overrides, ORIGINAL_KEY: PurePosixPath(name).name}
    pages = metadata.pop("pages", None)  # last, and on one line: it can be long
    front_matter = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True, width=1_000)
    if pages:
        front_matter += yaml.safe_dump({"pages": pages}, default_flow_style=None, width=1_000)
    text = f"---\n{front_matter}---\n{extracted.body}".encode()
    parse_document(text_name, text)
    return text_name, text, (name, raw)


def write_prepared(folder: Path, name: str, text: bytes, original: tuple[str, bytes] | None) -> Path:
    """Write what ``prepare_document`` checked: the original first, so the text never names a missing one."""
    check_room([(name, text)])
    target = _inside(folder, name)
    remove_interrupted_writes(target.parent)
    replaced = _original_of(target) if target.is_file() else None
    if original is not None:
        write_durably(_inside(folder, original[0]), original[1], temporary_prefix=_UPLOAD_PREFIX)
    write_durably(target, text, temporary_prefix=_UPLOAD_PREFIX)
    if replaced is not None and (original is None or replaced.name != PurePosixPath(original[0]).name):
        replaced.unlink(missing_ok=True)  # the document came from another form before
    return target


def remove_document(folder: Path, document_id: str) -> Path:
    """Delete the file behind ``document_id`` (its POSIX path relative to ``folder``)."""
    path = _inside(folder, document_id)
    if path.suffix.lower() not in DOCUMENT_SUFFIXES or not path.is_file():
        raise CorpusError(f"no document {document_id!r} in the corpus")
    original = _original_of(path)
    try:
        path.unlink()
        if original is not None:
            original.unlink(missing_ok=True)
    except OSError as error:
        raise CorpusError(f"cannot delete {document_id!r} ({error.strerror or error})") from None
    sync_folder(path.parent)
    return path


def _original_of(path: Path) -> Path | None:
    """The original an extracted document names in its front matter, when it is a file beside it."""
    try:
        named = parse_document(path.name, path.read_bytes()).extra.get(ORIGINAL_KEY)
    except (CorpusError, OSError):
        return None
    if not isinstance(named, str) or suffix_of(named) not in EXTRACTED_SUFFIXES or "/" in named or "\\" in named:
        return None
    original = path.parent / named
    return original if original.is_file() else None


def remove_interrupted_writes(folder: Path) -> None:
    """Delete the temporary files of uploads whose process was killed before they were renamed into place.

    Only one write runs at a time (the bot serialises corpus changes), so any
    such file left when a new one starts is garbage.
    """
    for leftover in folder.glob(f"{_UPLOAD_PREFIX}*{TEMPORARY_SUFFIX}"):
        leftover.unlink(missing_ok=True)


def safe_name(filename: str) -> str:
    """A plain ``slug.md`` (``.txt``, ``.html``, ``.pdf``…) name from whatever name the uploader's system gave the file."""
    base = PurePosixPath(filename.replace("\\", "/")).name
    suffix = PurePosixPath(base).suffix.lower()
    if suffix not in ADDABLE_SUFFIXES:
        raise CorpusError(f"only {', '.join(ADDABLE_SUFFIXES)} files (or a .zip of them) can be added")
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
