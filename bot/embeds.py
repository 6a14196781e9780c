"""An answer as a Discord embed, for ``/ask``: kept apart from ``render`` so text front ends need no discord.py."""

from __future__ import annotations

import discord

from quotebot.bot.render import (
    CONTEXT_CHARS,
    ELLIPSIS,
    EMBED_AUTHOR_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    attribution,
    blockquote,
    clip,
    emphasised,
    escape,
    intro,
    page,
    page_number,
    source_link,
)
from quotebot.retrieval import Answer, Passage

ANSWER_COLOUR = discord.Colour.blurple()
# An unsure answer is set apart by colour as well as by its first line.
UNSURE_COLOUR = discord.Colour.light_grey()


def answer_embed(answer: Answer, index: int = 0) -> discord.Embed:
    """The ``/ask`` embed: question, quote, its context and attribution, within every embed limit."""
    current = page(answer, index)
    document = current.document
    head = intro(answer, current)
    embed = discord.Embed(
        title=escape(clip(document.title, EMBED_TITLE_LIMIT)) if document else None,
        url=source_link(current),
        colour=UNSURE_COLOUR if head else ANSWER_COLOUR,
    )
    embed.set_author(name=clip("❓ " + " ".join(answer.question.split()), EMBED_AUTHOR_LIMIT))
    if current.context is not None and current.context.text.strip() != current.text.strip():
        embed.add_field(name="In context", value=_context(current.context, current.text), inline=False)
    source = attribution(document, current.section, page_number(current))
    if source:
        embed.add_field(name="Source", value=clip(source, EMBED_FIELD_LIMIT), inline=False)
    embed.set_footer(text=f"Passage {current.number} of {current.total}")
    header = f"*{head}*\n" if head else ""
    room = min(EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - len(embed)) - len(header)
    embed.description = header + emphasised(current.text, current.highlights, room, blockquote)
    return embed


def _context(passage: Passage, quote: str) -> str:
    """The passage around the quote, the quote in bold, within one embed field."""
    start = passage.text.find(quote)
    before = passage.text[:start]
    after = passage.text[start + len(quote) :]
    if len(before) > CONTEXT_CHARS:
        before = ELLIPSIS + before[-CONTEXT_CHARS:].split(" ", 1)[-1]
    if len(after) > CONTEXT_CHARS:
        after = clip(after, CONTEXT_CHARS)
    text = before + quote + after
    return emphasised(text, [(len(before), len(before) + len(quote))], EMBED_FIELD_LIMIT)
