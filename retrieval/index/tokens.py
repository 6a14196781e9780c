"""Text to index terms: the one place that decides what "the same word" means.

Documents and questions go through the same analysis so that a term matches
exactly when a reader would expect it to: case and inflection do not matter
("Defectors" ~ "defector"), numbers survive ("1,047" ~ "1047", "74.2"),
hyphenated names match with or without the hyphen ("Jong-un" ~ "Jong un" ~
"Jongun"), and acronyms are not mistaken for stopwords ("US" is not "us").
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

import regex

from quotebot.retrieval.index.stopwords import ENGLISH_STOPWORDS

if TYPE_CHECKING:
    from nltk.stem.snowball import SnowballStemmer

# A word is letters/digits, optionally joined by hyphens, apostrophes, or the
# separators inside numbers and dotted acronyms ("1,047", "74.2", "U.S.").
# Compiled as nltk's RegexpTokenizer compiles it (the ``regex`` engine, these
# flags), which is what this analysis was made with; ``re`` differs on marks.
_WORD_PATTERN = r"[^\W_]+(?:[-'.,][^\W_]+)*\.?"
_WORDS = regex.compile(_WORD_PATTERN, regex.UNICODE | regex.MULTILINE | regex.DOTALL)
_NUMBER = re.compile(r"^\d[\d,]*(?:\.\d+)?$")
_ACRONYM_WITH_DOTS = re.compile(r"^(?:[a-z]\.){2,}[a-z]?\.?$")
# Acronyms that would otherwise be dropped as stopwords ("US" is not "us").
_ACRONYMS_SPELT_LIKE_STOPWORDS = frozenset({"US", "IT", "WHO"})
_JOINERS = re.compile(r"[-'.,]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_word_cache: dict[str, tuple[str, ...]] = {}
_piece_cache: dict[str, tuple[str, ...]] = {}
_CACHE_LIMIT = 2_000_000
# Where words analysed before (a saved index's word table) are looked up before analysing them again.
_known_words: list[Callable[[str], tuple[str, ...] | None]] = []
# While a build collects them, the words this process analyses (with at least one term), as analysed.
_collected: list[list[tuple[str, tuple[str, ...]]]] = []


def terms(text: str) -> list[str]:
    """The index terms of ``text``, in order, stopwords removed.

    No word holds white space, so the text is analysed piece by piece
    (``text.split()``), each distinct piece once; the tests hold this equal to
    analysing the whole text at once (``piece_words``).
    """
    return [term for piece in text.split() for term in piece_terms(piece)]


def piece_terms(piece: str) -> tuple[str, ...]:
    """The terms of a piece of text without white space, remembered."""
    cached = _piece_cache.get(piece)
    if cached is None:
        cached = tuple(term for _, word_terms in piece_words(piece) for term in word_terms)
        if len(_piece_cache) < _CACHE_LIMIT:
            _piece_cache[piece] = cached
    return cached


def piece_words(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The words of ``text`` and each one's terms: the analysis itself, normalised text to words to terms."""
    normalized = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    return [(word, _word_terms(word)) for word in _WORDS.findall(normalized)]


def consult(lookup: Callable[[str], tuple[str, ...] | None]) -> None:
    """Look words up with ``lookup`` (a saved index's word table) before analysing them; the latest two count.

    A word's terms never depend on the corpus, so any table made by this
    analysis is right for every corpus; it only spares the stemmer (and
    importing nltk) for words seen before.
    """
    _known_words.insert(0, lookup)
    del _known_words[2:]


@contextmanager
def collecting_words() -> Iterator[list[tuple[str, tuple[str, ...]]]]:
    """Collect the words analysed (not found in a cache or word table) inside the ``with`` block, with their terms."""
    collected: list[tuple[str, tuple[str, ...]]] = []
    _collected.append(collected)
    try:
        yield collected
    finally:
        _collected.remove(collected)


def remember(words: Iterable[tuple[str, tuple[str, ...]]]) -> None:
    """Take words analysed elsewhere (in a build's worker process) as analysed here."""
    for word, word_terms in words:
        if len(_word_cache) >= _CACHE_LIMIT:
            return
        _word_cache.setdefault(word, word_terms)


def analysed_words() -> list[tuple[str, tuple[str, ...]]]:
    """Every word this process knows the terms of (words without terms left out), for a saved word table.

    The words of the tables it consulted count too: a restarted process that
    saves its index again passes on what the previous one knew.
    """
    known: dict[str, tuple[str, ...]] = {}
    for table in reversed(_known_words):
        if isinstance(table, WordTable):
            known.update(table.items())
    known.update(_word_cache)
    return [(word, word_terms) for word, word_terms in known.items() if word_terms]


class WordTable:
    """Words and their terms as text, one ``word<TAB>term term`` line each, sorted; looked up by bisection.

    The saved index carries one, so that a restarted process analyses the
    words it has seen before without the stemmer. Made from ``analysed_words``.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: list[str] | None = None

    @classmethod
    def of(cls, words: Iterable[tuple[str, tuple[str, ...]]]) -> WordTable:
        return cls("\n".join(sorted(f"{word}\t{' '.join(word_terms)}" for word, word_terms in words)))

    @property
    def text(self) -> str:
        return self._text

    def items(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Every word of the table with its terms."""
        for line in self._text.split("\n") if self._text else ():
            word, _, word_terms = line.partition("\t")
            yield word, tuple(word_terms.split(" "))

    def __call__(self, word: str) -> tuple[str, ...] | None:
        """``word``'s terms, or ``None`` when the table does not have it."""
        if self._lines is None:
            self._lines = self._text.split("\n") if self._text else []
        key = f"{word}\t"
        at = bisect_left(self._lines, key)
        if at < len(self._lines) and self._lines[at].startswith(key):
            return tuple(self._lines[at][len(key):].split(" "))
        return None


def _word_terms(word: str) -> tuple[str, ...]:
    cached = _word_cache.get(word)
    if cached is None:
        cached = next((found for lookup in _known_words if (found := _looked_up(lookup, word)) is not None), None)
        if cached is None:
            cached = _analyze_word(word)
            if cached and _collected:
                _collected[-1].append((word, cached))
        if len(_word_cache) < _CACHE_LIMIT:
            _word_cache[word] = cached
    return cached


def _looked_up(lookup: Callable[[str], tuple[str, ...] | None], word: str) -> tuple[str, ...] | None:
    """``word``'s terms from a word table, or those of ``word.``, the same when ``word.`` is no dotted acronym.

    A highlight reads "brands" where the text, analysed whole, had "brands."
    (``word_spans`` leaves a sentence's full stop out): without this, quoting
    would load the stemmer for words the table has.
    """
    found = lookup(word)
    if found is None and not word.endswith(".") and not _ACRONYM_WITH_DOTS.match(f"{word}.".lower()):
        found = lookup(f"{word}.")
    return found


def _analyze_word(word: str) -> tuple[str, ...]:
    """One surface word to zero or more terms (a hyphenated word gives its parts and their join)."""
    is_acronym = word.rstrip(".").replace(".", "") in _ACRONYMS_SPELT_LIKE_STOPWORDS
    lowered = word.lower()
    if _ACRONYM_WITH_DOTS.match(lowered):
        return (lowered.replace(".", ""),)
    lowered = lowered.rstrip(".")
    if _NUMBER.match(lowered):
        return (lowered.replace(",", ""),)
    if lowered in ENGLISH_STOPWORDS and not is_acronym:
        return ()
    if lowered.endswith("'s"):
        lowered = lowered[:-2]
        if lowered in ENGLISH_STOPWORDS:
            return ()
    parts = [part for part in _JOINERS.split(lowered) if part]
    if len(parts) > 1:
        kept = tuple(_stem(part) for part in parts if part not in ENGLISH_STOPWORDS)
        if all(part.isdigit() for part in parts):
            return kept
        return (*kept, _stem("".join(parts)))
    if not parts:
        return ()
    return (_stem(parts[0]),)


def _stem(word: str) -> str:
    return word if word.isdigit() else _stemmer().stem(word)


@lru_cache(maxsize=1)
def _stemmer() -> SnowballStemmer:
    """nltk's English Snowball stemmer, imported when first needed: importing nltk takes ~0.3 s."""
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the surface words that ``terms`` reads, for highlighting.

    A sentence's final period is not part of its last word ("year." is "year"),
    though a dotted acronym keeps its own ("U.S.").
    """
    spans = []
    for match in _WORDS.finditer(text):
        start, end = match.span()
        word = match.group()
        if word.endswith(".") and not _ACRONYM_WITH_DOTS.match(word.lower()):
            end -= 1
        spans.append((start, end))
    return spans
