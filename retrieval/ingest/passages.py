"""Documents to passages: the units BM25 ranks and the bot quotes.

A passage is whole paragraphs of one section where they are short enough, and
runs of whole sentences where a paragraph is too long, so that a quote never
starts or ends inside a sentence and always has enough context to stand alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from quotebot.retrieval.ingest.models import Document, Passage
from quotebot.retrieval.ingest.sentences import sentence_spans

MIN_WORDS = 60
MAX_WORDS = 200

_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$")


@dataclass(frozen=True)
class _Block:
    """A paragraph (or part of one) with its place in the document."""

    section: str | None
    paragraph: int
    start: int
    end: int
    words: int


def split_document(document: Document) -> list[Passage]:
    """All passages of ``document``, in reading order, with stable ids ``<doc id>#<n>``."""
    passages: list[Passage] = []
    for section_blocks in _sections(document.body):
        for group in _merge_short(_split_long(document.body, section_blocks)):
            first, last = group[0], group[-1]
            passages.append(
                Passage(
                    id=f"{document.id}#{len(passages) + 1}",
                    document=document,
                    section=first.section,
                    paragraph=first.paragraph,
                    start=first.start,
                    end=last.end,
                    text=document.body[first.start:last.end],
                )
            )
    return passages


def _sections(body: str) -> list[list[_Block]]:
    """Paragraphs grouped by the heading above them; headings themselves are not passages."""
    sections: list[list[_Block]] = [[]]
    section: str | None = None
    paragraph = 0
    for start, end in _paragraph_spans(body):
        text = body[start:end]
        heading = _HEADING.match(text) if "\n" not in text else None
        if heading:
            section = heading.group(1).strip()
            sections.append([])
            continue
        paragraph += 1
        sections[-1].append(_Block(section, paragraph, start, end, len(text.split())))
    return [blocks for blocks in sections if blocks]


def _paragraph_spans(body: str) -> list[tuple[int, int]]:
    """Spans of runs of non-blank lines, stripped; a heading line is always a span of its own.

    Markdown lets a heading sit directly above its text ("## Section\nText"),
    so a heading must end the paragraph before it and start a new one, or its
    text would be quoted as prose and its section lost.
    """
    spans: list[tuple[int, int]] = []
    start: int | None = None
    end = 0
    offset = 0
    for line in body.split("\n"):
        line_start, offset = offset, offset + len(line) + 1
        if not line.strip():
            if start is not None:
                spans.append((start, end))
                start = None
            continue
        content_start = line_start + len(line) - len(line.lstrip())
        content_end = line_start + len(line.rstrip())
        if _HEADING.match(line.strip()):
            if start is not None:
                spans.append((start, end))
                start = None
            spans.append((content_start, content_end))
            continue
        if start is None:
            start = content_start
        end = content_end
    if start is not None:
        spans.append((start, end))
    return spans


def _split_long(body: str, blocks: list[_Block]) -> list[_Block]:
    """Cut paragraphs over ``MAX_WORDS`` into sentence windows overlapping by one sentence."""
    result: list[_Block] = []
    for block in blocks:
        if block.words <= MAX_WORDS:
            result.append(block)
            continue
        spans = [(block.start + a, block.start + b) for a, b in sentence_spans(body[block.start:block.end])]
        counts = [len(body[a:b].split()) for a, b in spans]
        first = 0
        while first < len(spans):
            last, words = first, counts[first]
            while last + 1 < len(spans) and words + counts[last + 1] <= MAX_WORDS:
                last += 1
                words += counts[last]
            result.append(_Block(block.section, block.paragraph, spans[first][0], spans[last][1], words))
            if last + 1 >= len(spans):
                break
            # Overlap by one sentence only when the next window can hold it and
            # something new; otherwise the window would repeat a sentence alone.
            overlap = last > first and counts[last] + counts[last + 1] <= MAX_WORDS
            first = last if overlap else last + 1
    return result


def _merge_short(blocks: list[_Block]) -> list[list[_Block]]:
    """Join neighbouring short paragraphs until a group reaches ``MIN_WORDS``."""
    groups: list[list[_Block]] = []
    words = 0
    for block in blocks:
        if groups and words < MIN_WORDS and words + block.words <= MAX_WORDS and groups[-1][-1].end <= block.start:
            groups[-1].append(block)
            words += block.words
        else:
            groups.append([block])
            words = block.words
    if len(groups) > 1 and words < MIN_WORDS and _total(groups[-2]) + words <= MAX_WORDS:
        groups[-2].extend(groups.pop())
    return groups


def _total(group: list[_Block]) -> int:
    return sum(block.words for block in group)
