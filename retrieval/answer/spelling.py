"""Members' spelling: chat shorthand spelt out, and misspelt words matched to the corpus's own.

Questions come from chat: "how many ppl defected to south korea last yr",
"who is the foriegn minister". BM25 matches exact terms, so "ppl" and
"foriegn" find nothing. Two small, general repairs run before search:

- ``SHORTHAND``: a short list of chat abbreviations, each replaced by the
  words it stands for in the question's text (so the semantic model reads
  them too). Only whole words change, and only ones that are not ordinary
  English words themselves ("us" stays "us": the acronym is handled by the
  synonyms).
- Misspellings: a question term that the corpus never uses is replaced by
  the most similar term it does use (``rapidfuzz``'s normalised
  Levenshtein similarity over the corpus vocabulary), when the two are close
  enough. Terms the corpus knows are never touched, nor short terms or
  numbers, where one letter changes the meaning, nor words that are
  correctly spelt English (the whole words of the semantic model's
  WordPiece vocabulary, shipped with quotebot): "liberal" in a corpus that
  only says "liberty" is a word the corpus lacks, not a typo of it.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

from quotebot.retrieval.answer.answer_type import WRITTEN_WORD
from quotebot.retrieval.index.onnx_embedder import BUNDLED_TOKENIZER
from quotebot.retrieval.index.tokens import terms

# Chat shorthand → the words it stands for, capitalised as typed in capitals ("SK", not "sk", names South Korea).
# Keep it general English (nothing about one corpus).
SHORTHAND = {
    "ppl": "people",
    "u": "you",
    "ur": "your",
    "r": "are",
    "y": "why",
    "yr": "year",
    "yrs": "years",
    "wat": "what",
    "wut": "what",
    "wht": "what",
    "b4": "before",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "abt": "about",
    "thru": "through",
    "tho": "though",
    "govt": "government",
    "gov": "government",
    "gvt": "government",
    "intl": "international",
    "avg": "average",
    "approx": "approximately",
    "num": "number",
    "nr": "number",
    "pls": "please",
    "plz": "please",
    "w/": "with",
    "w/o": "without",
    "nk": "North Korea",
    "sk": "South Korea",
    "pct": "percent",
    "dont": "don't",
    "doesnt": "doesn't",
    "didnt": "didn't",
    "cant": "can't",
    "wont": "won't",
    "isnt": "isn't",
    "arent": "aren't",
    "wasnt": "wasn't",
    "werent": "weren't",
    "im": "i'm",
}
_SHORTHAND_WORD = re.compile(
    r"(?<![\w/])(" + "|".join(sorted(map(re.escape, SHORTHAND), key=len, reverse=True)) + r")(?![\w/])",
    re.IGNORECASE,
)
# Similarity (0-100) a corpus term must reach to replace an unknown question term.
MIN_SIMILARITY = 80
# Shorter terms are left alone: "cat" and "car" are both words.
MIN_TERM_LENGTH = 5


# Chat phrases → the written words for them: "made it to the south" is "reached the south".
_PHRASES = (
    (re.compile(r"\b(made|make|makes|making)\s+it\s+(to|into|out\s+to)\b", re.IGNORECASE), "reached"),
    # A percent sign standing for the word ("what % of"), not one written after a number ("62%").
    (re.compile(r"(?<![\w.])%"), "percent"),
)


def expand_shorthand(text: str) -> str:
    """``text`` with each shorthand word spelt out ("how many ppl" → "how many people"), and chat phrases written.

    A one-letter word is shorthand only in lower case ("U" may be uranium, "R" a language). Shorthand typed in
    capitals is a name and stays one ("SK" → "South Korea"), which the answer must then mention.
    """

    def spelt_out(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) == 1 and word.isupper():
            return word
        written = SHORTHAND[word.lower()]
        return written if word.isupper() else written.lower()

    for pattern, written in _PHRASES:
        text = pattern.sub(written, text)
    return _SHORTHAND_WORD.sub(spelt_out, text)


def correct_terms(text: str, vocabulary: Sequence[str], known: Callable[[str], bool]) -> dict[str, str]:
    """The terms of ``text``'s misspelt words mapped to the closest term of ``vocabulary`` (sorted), where one is close.

    Only vocabulary terms with the same first letter are compared, so the
    cost does not grow with the whole vocabulary.
    """
    english = _english_words()
    corrections: dict[str, str] = {}
    suspects = (term for word in WRITTEN_WORD.findall(text) if word.lower() not in english for term in terms(word))
    for term in dict.fromkeys(suspects):
        if len(term) < MIN_TERM_LENGTH or not term.isalpha() or known(term):
            continue
        nearby = _same_start(vocabulary, term)
        best = process.extractOne(term, nearby, scorer=fuzz.ratio, score_cutoff=MIN_SIMILARITY)
        if best is not None:
            corrections[term] = best[0]
    return corrections


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Whole words of the bundled WordPiece vocabulary: common English, correctly spelt."""
    vocabulary = json.loads(BUNDLED_TOKENIZER.read_text(encoding="utf-8"))["model"]["vocab"]
    return frozenset(piece for piece in vocabulary if piece.isalpha())


def _same_start(vocabulary: Sequence[str], term: str) -> Sequence[str]:
    """Vocabulary terms sharing the term's first letter: typos rarely change it, and it bounds the search."""
    first = term[0]
    return vocabulary[bisect_left(vocabulary, first):bisect_right(vocabulary, first + "\uffff")]
