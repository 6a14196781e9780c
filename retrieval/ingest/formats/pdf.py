"""A PDF's text with its page numbers, through pypdf.

pypdf is pure Python (no binary to build or trust), maintained, and its text
visitor gives each line's position and font size. That is what a PDF has in
place of paragraphs and headings: a gap between lines wider than the usual
line spacing ends a paragraph, and a line in a larger font than the body is a
heading (a ``##`` section). A paragraph that runs over a page break is joined
again. ``pages`` in the front matter is the offset in the body where each page
starts, so a passage knows its page ("p. 4") and its link opens the PDF there.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
from collections import Counter
from dataclasses import dataclass

import pypdf
from pypdf.errors import PdfReadError

from quotebot.retrieval.ingest.formats import Extracted
from quotebot.retrieval.ingest.loader import CorpusError

MAX_PAGES = 2_000
# A gap this many times the body's usual line spacing ends a paragraph; a font this much larger is a heading.
PARAGRAPH_GAP = 1.4
HEADING_SIZE = 1.15
_SENTENCE_END = re.compile(r"[.!?…:;”’\"')\]]$")


@dataclass(frozen=True)
class _Line:
    page: int
    y: float
    size: float
    text: str


def extract(raw: bytes) -> Extracted:
    """The PDF's title, author, and text by page; ``CorpusError`` for a broken, locked or text-less (scanned) PDF."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about sloppy files are not the moderator's business
    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise CorpusError("the PDF is encrypted; add an unlocked copy")
        if len(reader.pages) > MAX_PAGES:
            raise CorpusError(f"the PDF has more than {MAX_PAGES:,} pages")
        lines = [line for number, page in enumerate(reader.pages, 1) for line in _lines(number, page)]
        info = reader.metadata or {}
        metadata = {"title": _clean(info.get("/Title")), "author": _clean(info.get("/Author"))}
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
        raise CorpusError(f"not a readable PDF ({type(error).__name__})") from None
    if not any(line.text for line in lines):
        raise CorpusError("the PDF has no text to quote (a scan? add a PDF with a text layer)")
    body, pages = _body(lines, _said_already(metadata))
    metadata["pages"] = pages
    return Extracted(body, {key: value for key, value in metadata.items() if value})


def _lines(number: int, page: pypdf.PageObject) -> list[_Line]:
    """The page's lines from top to bottom, each with its height on the page and its largest font size."""
    pieces: list[tuple[float, float, str]] = []

    def visit(text: str, matrix: list[float], text_matrix: list[float], font: object, size: float) -> None:
        if text.strip():
            y = text_matrix[4] * matrix[1] + text_matrix[5] * matrix[3] + matrix[5]
            scale = abs(text_matrix[3] * matrix[3]) or 1.0
            pieces.append((round(y, 1), size * scale, text))

    page.extract_text(visitor_text=visit)
    lines: list[_Line] = []
    for y, size, text in pieces:
        if lines and abs(lines[-1].y - y) < 0.5 * max(size, 1.0):
            last = lines[-1]
            lines[-1] = _Line(number, last.y, max(last.size, size), _joined(last.text, text))
        else:
            lines.append(_Line(number, y, size, text))
    return [_Line(line.page, line.y, line.size, " ".join(line.text.split())) for line in lines]


def _joined(left: str, right: str) -> str:
    return left + right if left.endswith((" ", "\n")) or right.startswith(" ") else left + " " + right


def _said_already(metadata: dict[str, str | None]) -> set[str]:
    """A title heading and a byline the front matter holds: left out of the first blocks, as web pages leave them."""
    title, author = metadata.get("title"), metadata.get("author")
    return {text for text in (title and "## " + title, author, author and "By " + author) if text}


def _body(lines: list[_Line], said_already: set[str] = frozenset()) -> tuple[str, list[int]]:
    """Paragraphs and headings as text, and the offset in it where each page starts."""
    body_size = Counter(round(line.size, 1) for line in lines for _ in line.text.split()).most_common(1)[0][0]
    spacing = _usual_spacing(lines, body_size)
    blocks: list[tuple[bool, int, list[str]]] = []  # (heading?, page, lines)
    previous: _Line | None = None
    for line in lines:
        if not line.text:
            continue
        heading = line.size > body_size * HEADING_SIZE
        continues = (
            previous is not None
            and blocks
            and blocks[-1][0] == heading
            and (
                (line.page == previous.page and previous.y - line.y <= spacing * PARAGRAPH_GAP)
                or (line.page != previous.page and not heading and not _SENTENCE_END.search(previous.text))
            )
        )
        if continues:
            blocks[-1][2].append(line.text)
        else:
            blocks.append((heading, line.page, [line.text]))
        previous = line
    parts: list[str] = []
    pages: list[int] = []
    offset = 0
    for number, (heading, page, block_lines) in enumerate(blocks):
        text = _unwrap(block_lines)
        text = "## " + text if heading else text
        if number < 2 and text in said_already:
            continue
        while len(pages) < page:
            pages.append(offset)
        parts.append(text)
        offset += len(text) + 2
    return "\n\n".join(parts) + "\n", pages


def _usual_spacing(lines: list[_Line], body_size: float) -> float:
    """The most common distance between consecutive body lines of one page (the font size when there is none)."""
    gaps = Counter(
        round(above.y - below.y)
        for above, below in itertools.pairwise(lines)
        if above.page == below.page and round(above.size, 1) == body_size and 0 < above.y - below.y < 4 * body_size
    )
    return float(gaps.most_common(1)[0][0]) if gaps else body_size * 1.2


def _unwrap(lines: list[str]) -> str:
    """Lines of one paragraph as one line; a word hyphenated at a line end keeps its hyphen and loses the space."""
    text = ""
    for line in lines:
        if not text:
            text = line
        elif text.endswith("-") and line[:1].islower():
            text += line
        else:
            text += " " + line
    return text


def _clean(value: object) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None
