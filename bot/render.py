"""An ``Answer`` as Discord shows it in text: mention replies, ``quotebot ask`` and ``quotebot chat`` (``embeds`` builds ``/ask``'s embed from the same pieces).

One module renders for every front end so the console shows exactly what the
bot posts. Discord rejects a message over its length limits outright, so every
piece is cut to fit — at a word, marked with "…" — rather than trusting the
corpus or the question to be short. Corpus and question text is escaped, so
an asterisk in an article or an ``@everyone`` in a question stays literal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from quotebot.retrieval import (
    Answer,
    Document,
    Outcome,
    Passage,
    highlight_question,
    is_web_url,
    page_url,
    quote_page,
    text_fragment_url,
)

MESSAGE_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_LIMIT = 1024
EMBED_TOTAL_LIMIT = 6000
EMBED_AUTHOR_LIMIT = 256
# Link buttons accept URLs of at most 512 characters.
LINK_LIMIT = 512
# Attribution parts are clipped so a runaway title cannot crowd out the quote.
ATTRIBUTION_PART_LIMIT = 200
CONTEXT_CHARS = 300
ELLIPSIS = "…"
# Said before a quote quotebot is unsure answers the question (``Outcome.UNSURE``).
UNSURE_INTRO = "The closest passage I found — it may not answer this:"
# A private-use character marks bold spans while the text is escaped; Markdown escaping ignores it.
_BOLD = "\ue000"

Spans = Sequence[tuple[int, int]]


@dataclass(frozen=True)
class Page:
    """One screen of an answer: page 1 is the quote, pages 2… the next-ranked passages.

    ``passage`` is the passage the page shows (``None`` for a quote composed
    from a document's metadata), ``context`` the one around the quote on page 1.
    """

    text: str
    highlights: Spans
    document: Document | None
    section: str | None
    context: Passage | None
    number: int
    total: int
    passage: Passage | None


def _quoted_passage(answer: Answer) -> Passage | None:
    """The passage the quote was taken from: the best hit, unless the quote was composed from metadata."""
    best = answer.hits[0].passage if answer.hits else None
    return best if best is not None and answer.quote is not None and answer.quote in best.text else None


def _further_passages(answer: Answer) -> list[Passage]:
    """The passages of pages 2…: every hit but the one page 1 quotes (all of them after a metadata answer)."""
    quoted = _quoted_passage(answer)
    return [hit.passage for hit in answer.hits if hit.passage is not quoted]


def page_count(answer: Answer) -> int:
    return 1 + len(_further_passages(answer))


def page(answer: Answer, index: int = 0) -> Page:
    """Page ``index`` (0-based) of an answered question."""
    if not answer.answered or answer.quote is None:
        raise ValueError("a declined answer has no pages")
    total = page_count(answer)
    if index == 0:
        quoted = _quoted_passage(answer)
        document = answer.source or (quoted.document if quoted else None)
        context = quoted if quoted and quoted.document == document else None
        return Page(answer.quote, answer.highlights, document, answer.section, context, 1, total, quoted)
    passage = _further_passages(answer)[index - 1]
    spans = highlight_question(passage.text, answer.question)
    return Page(passage.text, spans, passage.document, passage.section, None, index + 1, total, passage)


# What Discord Markdown would act on: inline markers anywhere, block markers at a
# line start, masked links. URLs are left alone so they stay clickable.
_MARKDOWN = re.compile(r"(?P<url>https?://[^\s<>]+)|(?P<mark>[\\*_~`|]|\]\(|^\s*(?:>{1,3}|#{1,3}|-)(?=\s))", re.MULTILINE)
_MENTION = re.compile(r"@(everyone|here|[!&]?[0-9]{17,20})")


def escape(text: str) -> str:
    """Corpus or user text made literal for Discord Markdown, and never a live mention.

    Written here rather than taken from ``discord.utils`` so that the command
    line, which renders the same text, starts without importing discord.py.
    """
    escaped = _MARKDOWN.sub(lambda m: m.group("url") or _escape_mark(m.group("mark")), text)
    return _MENTION.sub("@\u200b\\1", escaped)


def _escape_mark(mark: str) -> str:
    stripped = mark.lstrip()
    return mark[: len(mark) - len(stripped)] + "\\" + stripped


def clip(text: str, limit: int) -> str:
    """``text`` cut at a word to at most ``limit`` characters, "…" marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + ELLIPSIS


def emphasised(text: str, spans: Spans, limit: int, wrap: Callable[[str], str] = lambda md: md) -> str:
    """Escaped ``text`` with ``spans`` in bold, passed through ``wrap``, cut to fit ``limit``.

    The cut is made in the source text (never inside an escape or a ``**``
    pair): the longest prefix whose rendering fits is found by bisection.
    """

    def build(cut: int) -> str:
        shown = text if cut >= len(text) else text[:cut].rstrip() + ELLIPSIS
        kept = [(a, min(b, cut)) for a, b in spans if a < min(b, cut)]
        return wrap(_bold(shown, kept))

    full = build(len(text))
    if len(full) <= limit:
        return full
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if len(build(middle)) <= limit:
            low = middle
        else:
            high = middle - 1
    word_start = text.rfind(" ", 0, low + 1)
    cut = word_start if word_start > low // 2 else low
    while cut > 0 and len(build(cut)) > limit:
        cut -= 1
    return build(cut)


def _bold(text: str, spans: Spans) -> str:
    """Escape ``text`` in one piece (line-start rules need whole lines), then turn markers into ``**``."""
    text = text.replace(_BOLD, "\ufffd")  # same length, so the spans still line up
    parts: list[str] = []
    position = 0
    for start, end in sorted(spans):
        if start < position or start >= end:
            continue
        parts += [text[position:start], _BOLD, text[start:end], _BOLD]
        position = end
    parts.append(text[position:])
    return escape("".join(parts)).replace(_BOLD, "**")


def blockquote(markdown: str) -> str:
    return "\n".join(f"> {line}" for line in markdown.split("\n"))


def attribution(document: Document | None, section: str | None, page: int | None = None) -> str:
    """``— *Title*, Author, Publication · Section · p. 4`` (parts the document lacks are left out)."""
    if document is None:
        return ""
    parts = [f"*{escape(clip(document.title, ATTRIBUTION_PART_LIMIT))}*"]
    parts += [escape(clip(part, ATTRIBUTION_PART_LIMIT)) for part in (document.author, document.publication) if part]
    line = "— " + ", ".join(parts)
    if section:
        line += f" · {escape(clip(section, ATTRIBUTION_PART_LIMIT))}"
    if page is not None:
        line += f" · p. {page}"
    return line


def page_number(current: Page) -> int | None:
    """The PDF page the shown text starts on, for documents that have pages."""
    return quote_page(current.passage, current.text) if current.passage is not None else None


def source_link(current: Page) -> str | None:
    """The source URL deep-linked to the quoted words, when the document has an http(s) URL.

    Falls back to the bare URL when the deep link would exceed what a link
    button accepts, and to nothing when even that is too long or not a web link.
    """
    url = current.document.url if current.document else None
    if not url or not is_web_url(url):
        return None
    page = page_number(current)
    deep = page_url(url, page) if page is not None else text_fragment_url(url, current.text)
    for candidate in (deep, url):
        if len(candidate) <= LINK_LIMIT:
            return candidate
    return None


def decline_text(answer: Answer) -> str:
    """A short, plain refusal that suggests how to ask instead."""
    reason = f" {answer.decline_reason}" if answer.decline_reason else ""
    text = (
        f"I couldn't find a passage that answers that.{reason} "
        "Try rephrasing with the specific names, places or numbers you're after."
    )
    return escape(clip(text, MESSAGE_LIMIT // 2))


def intro(answer: Answer, current: Page) -> str:
    """The line before the quote: a warning when quotebot is unsure the quote answers (first page only)."""
    return UNSURE_INTRO if answer.outcome is Outcome.UNSURE and current.number == 1 else ""


def answer_markdown(answer: Answer, index: int = 0) -> str:
    """The message text: the quote as a blockquote, its attribution and link; at most 2,000 characters."""
    if not answer.answered:
        return decline_text(answer)
    current = page(answer, index)
    head = intro(answer, current)
    tail = [attribution(current.document, current.section, page_number(current))]
    link = source_link(current)
    if link:
        tail.append(f"<{link}>")
    if current.number > 1:
        tail.append(f"-# Passage {current.number} of {current.total}")
    footer = "\n".join(line for line in tail if line)
    header = head + "\n" if head else ""
    budget = MESSAGE_LIMIT - len(footer) - 1 - len(header)
    return header + emphasised(current.text, current.highlights, budget, blockquote) + ("\n" + footer if footer else "")
