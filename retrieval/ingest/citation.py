"""Links that open the source scrolled to the quoted words.

Browsers that support text fragments (``#:~:text=start,end``) highlight the
quote; others ignore the fragment and open the page, so the link never hurts.
A PDF's viewers do not search text fragments but do open a page
(``#page=4``), so a quote from a PDF names and links its page instead.
"""

from __future__ import annotations

from bisect import bisect_right
from urllib.parse import quote as percent_encode
from urllib.parse import urlsplit

from quotebot.retrieval.ingest.models import Passage

_FRAGMENT_EDGE_WORDS = 4


def text_fragment_url(url: str, quote: str) -> str:
    """``url`` deep-linked to ``quote``; long quotes use a start,end range to keep the link short."""
    words = quote.split()
    if not words:
        return url
    if len(words) <= 2 * _FRAGMENT_EDGE_WORDS:
        directive = _encode(" ".join(words))
    else:
        start = " ".join(words[:_FRAGMENT_EDGE_WORDS])
        end = " ".join(words[-_FRAGMENT_EDGE_WORDS:])
        directive = f"{_encode(start)},{_encode(end)}"
    base = url.split("#", 1)[0]
    return f"{base}#:~:text={directive}"


def quote_page(passage: Passage, quote: str) -> int | None:
    """The page (1-based) of a PDF document where ``quote``, taken from ``passage``, starts; ``None`` for
    documents without pages. ``pages`` (front matter) holds each page's starting offset in the body."""
    pages = passage.document.extra.get("pages")
    if not isinstance(pages, list) or not pages or not all(isinstance(start, int) for start in pages):
        return None
    within = passage.text.find(quote)
    return max(1, bisect_right(pages, passage.start + max(within, 0)))


def page_url(url: str, page: int) -> str:
    """``url`` opening its PDF at ``page``."""
    return f"{url.split('#', 1)[0]}#page={page}"


def is_web_url(url: str) -> bool:
    """An absolute http(s) URL; front matter is hand-written, so anything else (or a malformed one) is not."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def _encode(text: str) -> str:
    """Percent-encode everything the fragment syntax reserves, including ',', '-' and '&'."""
    return percent_encode(text, safe="").replace("-", "%2D")
