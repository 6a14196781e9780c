"""Benchmark text: English sentences recombined into passages, and questions drawn from them.

Sentences come from the SQuAD articles in ``tests/data/squad`` when that
file exists (real English, nobody here wrote it); otherwise from a generated
Zipfian vocabulary, and ``SentencePool.source`` says so. Each sentence is
tokenized once by quotebot's own analysis, so a passage's terms are the
concatenation of its sentences' terms: exactly what tokenizing the joined
text gives, because no term spans the space between two sentences.
"""

from __future__ import annotations

import gzip
import json
import random
import time
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from quotebot.retrieval.index.stopwords import ENGLISH_STOPWORDS
from quotebot.retrieval.index.tokens import terms
from quotebot.retrieval.ingest.sentences import split_sentences

SQUAD = Path(__file__).resolve().parent.parent / "tests" / "data" / "squad" / "squad-v1.1-dev-public.json.gz"
PASSAGE_WORDS = (60, 120)
QUESTION_WORDS = (5, 12)


@dataclass(frozen=True)
class SentencePool:
    """Sentences with their terms, and how long tokenizing them took (term cache cold)."""

    source: str
    texts: tuple[str, ...]
    terms: tuple[tuple[str, ...], ...]
    words: tuple[int, ...]
    tokenize_seconds: float


@dataclass(frozen=True)
class Corpus:
    """Passages as the ids of their sentences."""

    pool: SentencePool
    sentences: tuple[tuple[int, ...], ...]

    def text(self, passage: int) -> str:
        return " ".join(self.pool.texts[i] for i in self.sentences[passage])

    def tokens(self) -> list[list[str]]:
        """Every passage's terms, ready for any BM25 implementation."""
        return [list(chain.from_iterable(self.pool.terms[i] for i in chosen)) for chosen in self.sentences]

    def words(self) -> int:
        return sum(self.pool.words[i] for passage in self.sentences for i in passage)


def sentence_pool(seed: int) -> SentencePool:
    """SQuAD's sentences when available, else generated ones."""
    if SQUAD.is_file():
        with gzip.open(SQUAD, "rt", encoding="utf-8") as handle:
            articles = json.load(handle)["data"]
        contexts = [paragraph["context"] for article in articles for paragraph in article["paragraphs"]]
        texts = [sentence for context in contexts for sentence in split_sentences(context)]
        source = f"{len(texts):,} sentences of {len(articles)} SQuAD v1.1 dev articles ({SQUAD.name}), recombined"
    else:
        texts = _zipf_sentences(random.Random(seed), 20_000)
        source = f"{SQUAD} not found: {len(texts):,} sentences GENERATED from a Zipfian vocabulary (not real English)"
    started = time.perf_counter()
    analysed = tuple(tuple(terms(text)) for text in texts)
    seconds = time.perf_counter() - started
    return SentencePool(source, tuple(texts), analysed, tuple(len(text.split()) for text in texts), seconds)


def build_corpus(pool: SentencePool, passages: int, rng: random.Random) -> Corpus:
    """``passages`` passages of whole random sentences, each ``PASSAGE_WORDS`` long (the last sentence may overrun)."""
    sentence_count = len(pool.texts)
    sentences: list[tuple[int, ...]] = []
    for _ in range(passages):
        target = rng.randint(*PASSAGE_WORDS)
        chosen: list[int] = []
        words = 0
        while words < target:
            sentence = rng.randrange(sentence_count)
            chosen.append(sentence)
            words += pool.words[sentence]
        sentences.append(tuple(chosen))
    return Corpus(pool, tuple(sentences))


def question_phrases(corpus: Corpus, count: int, rng: random.Random) -> list[str]:
    """Phrases of ``QUESTION_WORDS`` words cut from sentences of random passages, the way a reader quotes them."""
    phrases: list[str] = []
    while len(phrases) < count:
        passage = corpus.sentences[rng.randrange(len(corpus.sentences))]
        words = corpus.pool.texts[rng.choice(passage)].split()
        length = min(len(words), rng.randint(*QUESTION_WORDS))
        start = rng.randint(0, len(words) - length)
        phrase = " ".join(words[start:start + length])
        if terms(phrase):
            phrases.append(phrase)
    return phrases


def _zipf_sentences(rng: random.Random, count: int) -> list[str]:
    """Sentences of pronounceable made-up words with Zipfian frequencies, stopwords as the commonest."""
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    made_up = {"".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(60_000)}
    vocabulary = sorted(ENGLISH_STOPWORDS) + sorted(made_up - ENGLISH_STOPWORDS)
    weights = [1 / rank**1.07 for rank in range(1, len(vocabulary) + 1)]
    sentences = []
    for _ in range(count):
        words = rng.choices(vocabulary, weights, k=rng.randint(8, 30))
        sentences.append(" ".join(words).capitalize() + ".")
    return sentences
