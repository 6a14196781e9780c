"""Sentence boundaries that survive "U.S.", "Mr.", "Jan.", "74.2" and "Robert R. King".

The boundaries are those of nltk's Punkt (``PunktSentenceTokenizer``),
untrained, told only the abbreviations below: nltk's ``sent_tokenize`` needs
the downloaded ``punkt`` model, which this project may not fetch. Punkt
builds an object per word to make its decisions, which made splitting the
largest cost of indexing a corpus; this module makes exactly the same
decisions with Punkt's own regular expressions (compiled with the ``regex``
engine, as nltk compiles them) and remembers the decision for each context
it has seen. ``tests/retrieval/ingest/test_sentences.py`` holds it equal to
Punkt on random text and on every SQuAD paragraph.

Untrained, Punkt knows no collocations, frequent sentence starters or word
casing statistics, so a candidate (".", "?" or "!" followed by space or
closing punctuation) ends a sentence unless the word it ends is a known
abbreviation, an ellipsis, or an initial or number followed by a lower-case
word or punctuation (or an initial followed by a capitalised word: "J. Bach").
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from itertools import pairwise

import regex

# Lower-cased, without the final period, as Punkt stores them.
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "gov", "sen", "rep",
    "col", "lt", "capt", "sgt", "maj", "adm", "rev", "hon", "pres", "supt", "messrs",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun",
    "u.s", "u.k", "u.n", "e.u", "u.s.a", "d.c", "n.y", "l.a", "a.m", "p.m", "e.g", "i.e",
    "etc", "vs", "cf", "al", "approx", "dept", "univ", "inc", "ltd", "co", "corp", "no",
    "vol", "fig", "pp", "ca", "est", "ave", "blvd", "rd", "mi", "km", "oz", "lb", "lbs",
} | set(string.ascii_lowercase))

# Punkt's English patterns (nltk.tokenize.punkt.PunktLanguageVars, nltk 3.10), verbatim.
_NON_WORD = r"(?:[)\";}\]\*:@\'\({\[\u2018\u2019\u201c\u201d\xab\xbb\?!])"
_MULTI_CHAR = r"(?:\-{2,}|\.{2,}|(?:\.\s){2,}\.)"
_WORD_START = r"[^\(\"\`{\[:;&\#\*@\)}\]\-,]"
WORD_TOKENIZER = regex.compile(
    r"""(
        """ + _MULTI_CHAR + r"""
        |
        (?=""" + _WORD_START + r""")\S+?  # Accept word characters until end is found
        (?= # Sequences marking a word's end
            \s|                                 # White-space
            $|                                  # End-of-string
            """ + _NON_WORD + "|" + _MULTI_CHAR + r"""|          # Punctuation
            ,(?=$|\s|""" + _NON_WORD + "|" + _MULTI_CHAR + r""") # Comma if at end of word
        )
        |
        \S
    )""",
    regex.UNICODE | regex.VERBOSE,
)
PERIOD_CONTEXT = regex.compile(
    r"""
        [\.\?!]                      # a potential sentence ending
        (?=(?P<after_tok>
            """ + _NON_WORD + r"""              # either other punctuation
            |
            \s+(?P<next_tok>\S+)     # or whitespace and some other token
        ))""",
    regex.UNICODE | regex.VERBOSE,
)
BOUNDARY_REALIGNMENT = regex.compile(r'["\')\]}\u2018\u2019\u201c\u201d\xab\xbb]+?(?:\s+|(?=--)|$)', regex.MULTILINE)
# The two patterns run on every candidate, where the standard library's ``re`` is several times faster
# than ``regex``. They differ only in what ``\s`` means, so here it is spelt out as ``regex``'s
# (Unicode's White_Space); the tests hold these equal to the two above.
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_FAST_PERIOD_CONTEXT = re.compile(
    rf"[\.\?!](?=(?P<after_tok>{_NON_WORD}|[{WHITE_SPACE}]+(?P<next_tok>[^{WHITE_SPACE}]+)))"
)
_FAST_BOUNDARY_REALIGNMENT = re.compile(
    rf'["\')\]}}\u2018\u2019\u201c\u201d\xab\xbb]+?(?:[{WHITE_SPACE}]+|(?=--)|$)', re.MULTILINE
)
_NUMERIC = regex.compile(r"^-?[\.,]?\d[\d,\.-]*\.?$")
_INITIAL = regex.compile(r"[^\W\d]\.$", regex.UNICODE)
_ELLIPSIS = regex.compile(r"\.\.+$")
_SENTENCE_ENDS = (".", "?", "!")
_PUNCTUATION = tuple(";:,.!?")
# Punkt looks for the word before a candidate back to the last of these (Python's ASCII whitespace).
_ASCII_WHITESPACE = tuple(string.whitespace)
_BLANK_LINE = regex.compile(r"\n[ \t]*\n")
# Distinct decision contexts remembered (a context is a word, the candidate and the next word).
_DECISIONS_REMEMBERED = 1 << 17


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``; ``text[a:b]`` is one sentence."""
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _line_blocks(text):
        block = text[block_start:block_end]
        spans.extend((block_start + a, block_start + b) for a, b in _punkt_spans(block))
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, verbatim."""
    return [text[a:b] for a, b in sentence_spans(text)]


def _line_blocks(text: str) -> list[tuple[int, int]]:
    """Split on blank lines first: a paragraph break always ends a sentence.

    A line holding only spaces or tabs is blank too, as it is in Markdown.
    """
    if "\n" not in text:
        start = len(text) - len(text.lstrip())
        return [(start, len(text.rstrip()))] if start < len(text) else []
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


def _punkt_spans(text: str) -> list[tuple[int, int]]:
    """``PunktSentenceTokenizer.span_tokenize(text)``: the sentence slices, closing punctuation realigned."""
    slices = _slices(text)
    spans = []
    shift = 0
    for (start, stop), following in zip(slices, [*slices[1:], None]):
        start += shift
        closing = following and _FAST_BOUNDARY_REALIGNMENT.match(text, following[0], following[1])
        if closing:
            # Quotes and brackets after the full stop belong to the sentence they close.
            spans.append((start, following[0] + len(closing.group(0).rstrip())))
            shift = closing.end() - following[0]
        else:
            shift = 0
            if start < stop:
                spans.append((start, stop))
    return spans


def _slices(text: str) -> list[tuple[int, int]]:
    """Punkt's ``_slices_from_text``: cut after every candidate whose context holds a sentence break.

    The candidates are Punkt's ``_match_potential_end_contexts``: of
    consecutive candidates whose words overlap ("acting!!!") only the last
    counts, with the whole word. Punkt finds the word's start at the last ASCII
    whitespace after the previous candidate, and takes a whitespace at that
    very first position for none at all; so does this.
    """
    slices = []
    last_break = 0
    previous_start = previous_stop = 0
    previous: re.Match[str] | None = None
    spaces = [space for space in _ASCII_WHITESPACE if space in text]
    for match in [*_FAST_PERIOD_CONTEXT.finditer(text), None]:
        if match is not None:
            stop = match.start()
            last_space = max([text.rfind(space, previous_stop, stop) for space in spaces], default=-1)
            start = last_space + 1 if last_space > previous_stop else previous_start
        if previous is not None and (match is None or previous_stop <= start):
            context = text[previous_start:previous_stop] + previous.group() + previous.group("after_tok")
            if _breaks(context):
                slices.append((last_break, previous.end()))
                last_break = previous.start("next_tok") if previous.group("next_tok") else previous.end()
        if match is not None:
            previous, previous_start, previous_stop = match, start, stop
    slices.append((last_break, len(text.rstrip())))
    return slices


@lru_cache(maxsize=_DECISIONS_REMEMBERED)
def _breaks(context: str) -> bool:
    """Punkt's ``text_contains_sentbreak``: does a token other than the context's last end a sentence?"""
    tokens = [token for line in context.split("\n") if line.strip() for token in WORD_TOKENIZER.findall(line)]
    return any(_ends_sentence(token, following) for token, following in pairwise(tokens))


def _ends_sentence(token: str, following: str) -> bool:
    """Punkt's two annotation passes for one token, given the next, without its learned statistics.

    First pass: a lone ".", "?" or "!" ends a sentence; a word ending in one
    period ends one unless it is an abbreviation. Second pass: an initial or a
    number ending in a period does not end one before punctuation or a
    lower-case word, and an initial does not before a capitalised word either.
    """
    if token in _SENTENCE_ENDS:
        ends = True
    elif _ELLIPSIS.match(token) or not token.endswith(".") or token.endswith(".."):
        return False
    else:
        word = token[:-1].lower()
        ends = word not in _ABBREVIATIONS and word.split("-")[-1] not in _ABBREVIATIONS
    if not token.endswith("."):
        return ends
    kind = _NUMERIC.sub("##number##", token.lower())
    if len(kind) > 1 and kind[-1] == ".":
        kind = kind[:-1]
    initial = bool(_INITIAL.match(token))
    if initial or kind == "##number##":
        if following in _PUNCTUATION or following[0].islower():
            return False
        if initial and following[0].isupper():
            return False
    return ends
