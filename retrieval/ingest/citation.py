"""Links that open the source scrolled to the quoted words.

Browsers that support text fragments (``#:~:text=start,end``) highlight the
quote; others ignore the fragment and open the page, so the link never hurts.
"""

from __future__ import annotations

from urllib.parse import quote as percent_encode
from urllib.parse import urlsplit

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
