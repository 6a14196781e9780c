"""A web page's main content, through trafilatura.

trafilatura was chosen because it is the best-scoring open-source main-text
extractor on the published benchmarks (ScrapingHub's article-extraction
benchmark, Bevendorff et al. 2023), is maintained, and returns the content as
a small XML tree: headings stay headings (they become ``##`` sections) and
navigation, share widgets, comment threads and footers are dropped. Its
``htmldate`` guesses a date from any year-like URL on the page, so only a
date the page states about itself is kept (no extensive search).
"""

from __future__ import annotations

import re

import trafilatura
from lxml import etree

from quotebot.retrieval.ingest.formats import Extracted, said_in_front_matter
from quotebot.retrieval.ingest.loader import CorpusError

_BLOCKS = {"p", "head", "item", "quote", "row", "code"}


def extract(raw: bytes) -> Extracted:
    """The page's title, author, date and main text; ``CorpusError`` when it has no main content."""
    try:
        found = trafilatura.bare_extraction(
            raw,
            include_comments=False,
            include_tables=True,
            include_formatting=False,
            include_links=False,
            include_images=False,
            with_metadata=True,
            favor_precision=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except (ValueError, etree.LxmlError):
        found = None
    paragraphs = _paragraphs(found.body) if found is not None and found.body is not None else []
    if not paragraphs:
        raise CorpusError("the page has no main content to quote (navigation or scripts only?)")
    found_metadata = {
        "title": found.title,
        "author": _author_as_written(found.author, raw),
        "publication": found.sitename,
        "date": found.date,
    }
    metadata = {key: value for key, value in found_metadata.items() if value}
    said = said_in_front_matter(metadata)
    while paragraphs and paragraphs[0] in said:
        paragraphs.pop(0)
    if not paragraphs:
        raise CorpusError("the page has no main content to quote (only its title)")
    return Extracted("\n\n".join(paragraphs) + "\n", metadata)


def _paragraphs(body: etree._Element) -> list[str]:
    """Blocks as blank-line paragraphs, headings as ``## Heading``, list items as ``- item``, table rows as cells."""
    paragraphs: list[str] = []
    for element in body.iter(*_BLOCKS):
        if any(ancestor.tag in _BLOCKS for ancestor in element.iterancestors()):
            continue  # its text is part of the enclosing block's
        if element.tag == "row":
            text = " | ".join(" ".join("".join(cell.itertext()).split()) for cell in element.iter("cell"))
        else:
            text = " ".join("".join(element.itertext()).split())
        if not text.strip(" |"):
            continue
        if element.tag == "head":
            text = "## " + text.lstrip("#").strip()
        elif element.tag == "item":
            text = "- " + text
        paragraphs.append(text)
    return paragraphs


def _author_as_written(author: str | None, raw: bytes) -> str | None:
    """trafilatura drops the dots of initials ("Robert R King"); the page's own spelling is kept when it has one."""
    if not author:
        return None
    words = [re.escape(word) for word in author.split()]
    pattern = r"\s+".join(word + (r"\.?" if len(word) == 1 else "") for word in words)
    written = re.search(pattern.encode(), raw)
    return " ".join(written.group(0).decode("utf-8", "replace").split()) if written else author
