"""Documents kept in other forms (web pages, PDFs) turned into the text the loader reads.

Extraction runs once, when a document is added: the original file is kept
beside a normalised ``.md`` (front matter, blank-line paragraphs, ``##``
headings as sections), and the loader only ever reads the ``.md``. So reloads
never extract again, and a moderator can read and correct what was extracted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Extracted:
    """A document's normalised text and the metadata found in it (title, author, date; ``pages`` for a PDF)."""

    body: str
    metadata: dict[str, object] = field(default_factory=dict)


#: Media types a fetched page may have, and the suffix of the form that reads it.
CONTENT_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
EXTRACTED_SUFFIXES = (".html", ".htm", ".pdf", ".docx")


def extractor(suffix: str) -> Callable[[bytes], Extracted] | None:
    """The function that extracts a file of this suffix, or ``None`` for a form read as it is (or not at all)."""
    from quotebot.retrieval.ingest.formats import docx, html, pdf

    return {".html": html.extract, ".htm": html.extract, ".pdf": pdf.extract, ".docx": docx.extract}.get(suffix.lower())


def said_in_front_matter(metadata: dict[str, object]) -> set[str]:
    """A title heading and a byline that the front matter already holds: documents leave these out of their
    first blocks, so the first passage is the text itself, as in a hand-cleaned document."""
    title, author = metadata.get("title"), metadata.get("author")
    return {str(text) for text in (title and f"## {title}", author, author and f"By {author}") if text}


def suffix_of(name: str) -> str:
    return PurePosixPath(name).suffix.lower()
