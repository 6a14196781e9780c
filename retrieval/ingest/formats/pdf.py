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

from quotebot.retrieval.ingest.formats import Extracted, said_in_front_matter
from quotebot.retrieval.ingest.loader import CorpusError

MAX_PAGES = 2_000
# A gap this many times the body's usual line spacing ends a paragraph; a font this much larger is a heading.
PARAGRAPH_GAP = 1.4
HEADING_SIZE = 1.15
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.IGNORECASE)
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
        lines = _without_furniture([_lines(number, page) for number, page in enumerate(reader.pages, 1)])
        info = reader.metadata or {}
        metadata = {"title": _clean(info.get("/Title")), "author": _clean(info.get("/Author"))}
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
        raise CorpusError(f"not a readable PDF ({type(error).__name__})") from None
    if not any(line.text for line in lines):
        raise CorpusError("the PDF has no text to quote (a scan? add a PDF with a text layer)")
    body, pages = _body(lines, said_in_front_matter(metadata))
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


def _without_furniture(pages: list[list[_Line]]) -> list[_Line]:
    """Every page's lines but its page number and running header or footer: a first or last line that
    repeats (numbers aside) on at least half the pages of a document of three or more."""
    edges: Counter[str] = Counter()
    for lines in pages:
        edges.update({_shape(line) for line in lines[:1] + lines[-1:]})
    running = {shape for shape, count in edges.items() if len(pages) >= 3 and count >= max(3, len(pages) / 2)}
    kept = []
    for lines in pages:
        for index, line in enumerate(lines):
            at_edge = index in (0, 1, len(lines) - 2, len(lines) - 1)
            if at_edge and (_PAGE_NUMBER.match(line.text) or (index in (0, len(lines) - 1) and _shape(line) in running)):
                continue
            kept.append(line)
    return kept


def _shape(line: _Line) -> str:
    return re.sub(r"\d+", "#", line.text.lower())


def _joined(left: str, right: str) -> str:
    return left + right if left.endswith((" ", "\n")) or right.startswith(" ") else left + " " + right


def _body(lines: list[_Line], said_already: set[str] = frozenset()) -> tuple[str, list[int]]:
    """Paragraphs and headings as text, and the offset in it where each page starts (inside a paragraph
    when one runs over the page break)."""
    body_size = Counter(round(line.size, 1) for line in lines for _ in line.text.split()).most_common(1)[0][0]
    spacing = _usual_spacing(lines, body_size)
    blocks: list[tuple[bool, list[_Line]]] = []  # (heading?, its lines)
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
            blocks[-1][1].append(line)
        else:
            blocks.append((heading, [line]))
        previous = line
    body = ""
    pages: list[int] = []
    for number, (heading, block_lines) in enumerate(blocks):
        text, page_starts = _unwrap(block_lines, heading)
        if number < 2 and text in said_already:
            continue
        body += "\n\n" if body else ""
        for page, offset in page_starts.items():
            while len(pages) < page:
                pages.append(len(body) + offset)
        body += text
    return body + "\n", pages


def _unwrap(lines: list[_Line], heading: bool) -> tuple[str, dict[int, int]]:
    """A block's lines as one line, and where in it each of its pages starts. A word hyphenated at a line
    end keeps its hyphen and loses the space."""
    text = "## " if heading else ""
    page_starts: dict[int, int] = {}
    for line in lines:
        if text and not text.endswith(" ") and not (text.endswith("-") and line.text[:1].islower()):
            text += " "
        page_starts.setdefault(line.page, len(text) if page_starts else 0)
        text += line.text
    return text, page_starts


def _usual_spacing(lines: list[_Line], body_size: float) -> float:
    """The most common distance between consecutive body lines of one page (the font size when there is none)."""
    gaps = Counter(
        round(above.y - below.y)
        for above, below in itertools.pairwise(lines)
        if above.page == below.page and round(above.size, 1) == body_size and 0 < above.y - below.y < 4 * body_size
    )
    return float(gaps.most_common(1)[0][0]) if gaps else body_size * 1.2


def _clean(value: object) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None
