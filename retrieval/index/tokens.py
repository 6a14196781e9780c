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

from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import RegexpTokenizer

from quotebot.retrieval.index.stopwords import ENGLISH_STOPWORDS

# A word is letters/digits, optionally joined by hyphens, apostrophes, or the
# separators inside numbers and dotted acronyms ("1,047", "74.2", "U.S.").
_WORD_PATTERN = r"[^\W_]+(?:[-'.,][^\W_]+)*\.?"
_word_tokenizer = RegexpTokenizer(_WORD_PATTERN)
_NUMBER = re.compile(r"^\d[\d,]*(?:\.\d+)?$")
_ACRONYM_WITH_DOTS = re.compile(r"^(?:[a-z]\.){2,}[a-z]?\.?$")
# Acronyms that would otherwise be dropped as stopwords ("US" is not "us").
_ACRONYMS_SPELT_LIKE_STOPWORDS = frozenset({"US", "IT", "WHO"})
_JOINERS = re.compile(r"[-'.,]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_stemmer = SnowballStemmer("english")
_term_cache: dict[str, tuple[str, ...]] = {}
_TERM_CACHE_LIMIT = 2_000_000


def terms(text: str) -> list[str]:
    """The index terms of ``text``, in order, stopwords removed."""
    result: list[str] = []
    for word in _words(text):
        result.extend(_word_terms(word))
    return result


def _words(text: str) -> list[str]:
    normalized = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    return _word_tokenizer.tokenize(normalized)


def _word_terms(word: str) -> tuple[str, ...]:
    cached = _term_cache.get(word)
    if cached is None:
        cached = _analyze_word(word)
        if len(_term_cache) < _TERM_CACHE_LIMIT:
            _term_cache[word] = cached
    return cached


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
    return word if word.isdigit() else _stemmer.stem(word)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the surface words that ``terms`` reads, for highlighting.

    A sentence's final period is not part of its last word ("year." is "year"),
    though a dotted acronym keeps its own ("U.S.").
    """
    spans = []
    for start, end in _word_tokenizer.span_tokenize(text):
        word = text[start:end]
        if word.endswith(".") and not _ACRONYM_WITH_DOTS.match(word.lower()):
            end -= 1
        spans.append((start, end))
    return spans
