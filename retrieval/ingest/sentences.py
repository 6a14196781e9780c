"""Sentence boundaries that survive "U.S.", "Mr.", "Jan.", "74.2" and "Robert R. King".

nltk's ``sent_tokenize`` needs the downloaded ``punkt`` model, which this
project may not fetch; an untrained ``PunktSentenceTokenizer`` works offline
once it is told the abbreviations it would otherwise have learned.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

# Lower-cased, without the final period, as Punkt stores them.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "gov", "sen", "rep",
    "col", "lt", "capt", "sgt", "maj", "adm", "rev", "hon", "pres", "supt", "messrs",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun",
    "u.s", "u.k", "u.n", "e.u", "u.s.a", "d.c", "n.y", "l.a", "a.m", "p.m", "e.g", "i.e",
    "etc", "vs", "cf", "al", "approx", "dept", "univ", "inc", "ltd", "co", "corp", "no",
    "vol", "fig", "pp", "ca", "est", "ave", "blvd", "rd", "mi", "km", "oz", "lb", "lbs",
} | set(string.ascii_lowercase)

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@lru_cache(maxsize=1)
def _tokenizer() -> PunktSentenceTokenizer:
    parameters = PunktParameters()
    parameters.abbrev_types = set(_ABBREVIATIONS)
    return PunktSentenceTokenizer(parameters)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``; ``text[a:b]`` is one sentence."""
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _line_blocks(text):
        block = text[block_start:block_end]
        spans.extend((block_start + a, block_start + b) for a, b in _tokenizer().span_tokenize(block))
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, verbatim."""
    return [text[a:b] for a, b in sentence_spans(text)]


def _line_blocks(text: str) -> list[tuple[int, int]]:
    """Split on blank lines first: a paragraph break always ends a sentence.

    A line holding only spaces or tabs is blank too, as it is in Markdown.
    """
    blocks: list[tuple[int, int]] = []
    position = 0
    for separator in [*_BLANK_LINE.finditer(text), None]:
        chunk_end = separator.start() if separator else len(text)
        chunk = text[position:chunk_end]
        stripped = chunk.strip()
        if stripped:
            start = position + chunk.index(stripped)
            blocks.append((start, start + len(stripped)))
        if separator:
            position = separator.end()
    return blocks
