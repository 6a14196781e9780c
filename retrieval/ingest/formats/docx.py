"""A Word document's text, through python-docx: paragraphs, headings (by their styles) as sections, lists and
tables, with the title and author from the document's properties.

python-docx reads the document's XML with lxml (already installed for web
pages), is maintained, and exposes each paragraph's style, which is how
Word and LibreOffice mark headings ("Heading 1", "Title"). Nothing else of a
.docx (images, comments, tracked changes, headers and footers) is quoted.
"""

from __future__ import annotations

import io
import re
import zipfile

from quotebot.retrieval.ingest.formats import Extracted, said_in_front_matter
from quotebot.retrieval.ingest.loader import CorpusError

_HEADING_STYLE = re.compile(r"^(?:heading\s*\d|title|subtitle)$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^list", re.IGNORECASE)


def extract(raw: bytes) -> Extracted:
    """The document's text; ``CorpusError`` for a file Word could not open either, or one without text."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(raw))
        blocks = list(_blocks(document))
        properties = document.core_properties
        metadata = {"title": properties.title or None, "author": properties.author or None}
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, AttributeError) as error:
        raise CorpusError(f"not a readable .docx ({type(error).__name__})") from None
    said = said_in_front_matter(metadata)
    while blocks and blocks[0] in said:
        blocks.pop(0)
    if not blocks:
        raise CorpusError("the document has no text to quote")
    return Extracted("\n\n".join(blocks) + "\n", {key: value for key, value in metadata.items() if value})


def _blocks(document) -> list[str]:  # type: ignore[no-untyped-def]
    """Paragraphs and tables in reading order, as the loader's text: ``## `` headings, ``- `` list items."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = " ".join(item.text.split())
            style = item.style.name if item.style is not None else ""
            if not text:
                continue
            if _HEADING_STYLE.match(style):
                text = "## " + text
            elif _LIST_STYLE.match(style):
                text = "- " + text
            blocks.append(text)
        elif isinstance(item, Table):
            for row in item.rows:
                # A merged cell is listed once for every column it spans: once is enough.
                cells = list({id(cell._tc): " ".join(cell.text.split()) for cell in row.cells}.values())
                if any(cells):
                    blocks.append(" | ".join(cells))
    return blocks
