"""Reading corpus files into ``Document`` values, one bad file never spoiling the rest.

Moderators edit the corpus by hand and by upload, so every file is treated as
untrusted: it is checked for size, encoding, binary content and front matter,
and a file that fails is reported by name and skipped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from quotebot.retrieval.ingest.models import Document

DOCUMENT_SUFFIXES = (".md", ".txt")
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
METADATA_KEYS = ("title", "author", "publication", "publisher", "url", "date")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)
_FRONT_MATTER_OPENING = re.compile(r"\A---[ \t]*\n")
# libyaml's safe loader when PyYAML was built with it (several times faster on a
# large corpus); the pure-Python one otherwise. Both construct plain data only.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FIRST_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


class CorpusError(Exception):
    """A corpus problem worth telling a person about; ``str()`` is the short reason."""


@dataclass(frozen=True)
class FileProblem:
    """A file that was skipped, and why, so ``corpus check`` and reloads can name it."""

    path: Path
    reason: str


@dataclass(frozen=True)
class LoadReport:
    """The documents that loaded and the files that did not."""

    documents: tuple[Document, ...]
    problems: tuple[FileProblem, ...]


@dataclass(frozen=True)
class FileStamp:
    """What the file system says of a corpus file, without reading it: enough to tell that it changed.

    ``changed_ns`` (the inode's change time) moves on every write and cannot
    be set back, unlike the modification time that copying tools preserve.
    """

    document_id: str
    path: Path
    size: int
    modified_ns: int
    changed_ns: int


def load_folder(folder: Path) -> LoadReport:
    """Load every ``.md``/``.txt`` file below ``folder``, sorted by path.

    Hidden files and folders (the index cache lives in one) are skipped.
    Raises ``CorpusError`` when the folder is missing or nothing in it loads.
    """
    return load_files(folder, scan_folder(folder))


def scan_folder(folder: Path) -> list[FileStamp]:
    """The corpus files below ``folder`` (sorted by path) and their stamps; raises ``CorpusError`` when it is missing."""
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    stamps = []
    for path in sorted(_document_paths(folder)):
        try:
            status = path.stat()
        except OSError:
            status = None  # vanished or unreadable: loading it says why
        stamps.append(
            FileStamp(
                document_id=path.relative_to(folder).as_posix(),
                path=path,
                size=status.st_size if status else -1,
                modified_ns=status.st_mtime_ns if status else -1,
                changed_ns=status.st_ctime_ns if status else -1,
            )
        )
    return stamps


def load_files(folder: Path, stamps: Sequence[FileStamp], known: Sequence[Document] = ()) -> LoadReport:
    """The documents of the files ``stamps`` name; a ``known`` document (same id) is taken instead of its file.

    Raises ``CorpusError`` when nothing loads.
    """
    documents: list[Document] = []
    problems: list[FileProblem] = []
    already = {document.id: document for document in known}
    for stamp in stamps:
        document = already.get(stamp.document_id)
        if document is not None:
            documents.append(document)
            continue
        try:
            # Refuse an oversized file before reading it into memory.
            if stamp.size > MAX_DOCUMENT_BYTES:
                raise CorpusError(_too_large())
            documents.append(parse_document(stamp.document_id, stamp.path.read_bytes()))
        except CorpusError as error:
            problems.append(FileProblem(stamp.path, str(error)))
        except OSError as error:
            problems.append(FileProblem(stamp.path, f"cannot be read ({error.strerror or error})"))
    if not documents:
        raise CorpusError(f"no usable .md or .txt documents in {folder}{_skipped(folder, problems)}")
    return LoadReport(tuple(documents), tuple(problems))


def _skipped(folder: Path, problems: Sequence[FileProblem]) -> str:
    """The first skipped file and why, and how many more: when nothing loads, the reason is what to fix."""
    if not problems:
        return ""
    first = problems[0]
    name = first.path.relative_to(folder) if first.path.is_relative_to(folder) else first.path
    more = f" (and {len(problems) - 1} more file(s) skipped)" if len(problems) > 1 else ""
    return f"; skipped {name}: {first.reason}{more}"


def _document_paths(folder: Path) -> Iterator[Path]:
    return (
        path
        for path in folder.rglob("*")
        if path.suffix.lower() in DOCUMENT_SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def has_documents(folder: Path) -> bool:
    """Whether ``folder`` exists and holds a file the loader would try to read (usable or not)."""
    return folder.is_dir() and next(_document_paths(folder), None) is not None


def parse_document(document_id: str, raw: bytes) -> Document:
    """Turn one file's bytes into a ``Document`` or raise ``CorpusError`` saying why not."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise CorpusError(_too_large())
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CorpusError("not UTF-8 (it is UTF-16; save it as UTF-8)")
    if b"\x00" in raw:
        raise CorpusError("binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CorpusError(f"not UTF-8 (bad byte at offset {error.start})") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    metadata, body = _split_front_matter(text)
    if not body.strip():
        raise CorpusError("only front matter, no text" if metadata or body != text else "empty document")
    return Document(
        id=document_id,
        title=_title(metadata, body, document_id),
        body=body,
        author=_text_field(metadata, "author"),
        publication=_text_field(metadata, "publication"),
        publisher=_text_field(metadata, "publisher"),
        url=_text_field(metadata, "url"),
        date=_text_field(metadata, "date"),
        extra={key: value for key, value in metadata.items() if key not in METADATA_KEYS},
        fingerprint=hashlib.sha256(raw).hexdigest(),
    )


def _too_large() -> str:
    limit = MAX_DOCUMENT_BYTES
    size = f"{limit / (1024 * 1024):g} MiB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
    return f"larger than the {size} limit"


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        if _FRONT_MATTER_OPENING.match(text):
            raise CorpusError("front matter is not closed with '---'")
        return {}, text
    try:
        metadata = yaml.load(match.group(1), Loader=_YAML_LOADER) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        raise CorpusError(f"front matter is not valid YAML{where}") from None
    if not isinstance(metadata, dict):
        raise CorpusError("front matter must be a mapping of keys to values")
    return {str(key): value for key, value in metadata.items()}, text[match.end():]


def _text_field(metadata: dict[str, Any], key: str) -> str | None:
    value = metadata.get(key)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _title(metadata: dict[str, Any], body: str, document_id: str) -> str:
    """Front matter title, else the first heading, else a readable file name."""
    title = _text_field(metadata, "title")
    if title:
        return title
    heading = _FIRST_HEADING.search(body)
    if heading:
        return heading.group(1).strip()
    # "north-korea_2019.md" -> "North korea 2019"; only the first letter changes
    # case, so acronyms and names in file names survive ("NATO-report" -> "NATO report").
    name = re.sub(r"[-_]+", " ", Path(document_id).stem).strip()
    return name[:1].upper() + name[1:] if name else document_id
