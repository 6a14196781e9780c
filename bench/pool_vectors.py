"""Passage vectors for benchmark corpora, without embedding every passage (two hours at 100,000 passages).

The benchmark corpora are recombined sentences of one pool (``bench.text``),
so each pool sentence is embedded once by the real model, a sentence of a
passage gets its pool sentence's vector, and a passage's vector is the mean of
its sentences' (normalised). What the benchmarks time, the search over and the
scoring of these vectors, does not depend on their values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from bench.text import SentencePool
from quotebot.retrieval.index.embedding import TextEmbedder
from quotebot.retrieval.index.vector_store import VectorStore, passage_digest
from quotebot.retrieval.ingest.models import Passage
from quotebot.retrieval.ingest.sentences import sentence_spans


def embed_pool(embedder: TextEmbedder, pool: SentencePool) -> dict[str, np.ndarray]:
    """Each pool sentence's vector, by its text."""
    return dict(zip(pool.texts, embedder.embed(list(pool.texts))))


def fill_store(store: VectorStore, passages: Iterable[Passage], sentence_vectors: Mapping[str, np.ndarray]) -> None:
    """Give every passage vectors made of its sentences' (a sentence not in the pool gets the first pool vector)."""
    fallback = next(iter(sentence_vectors.values()))
    for passage in passages:
        text = passage.text
        rows = np.stack([sentence_vectors.get(text[a:b], fallback) for a, b in sentence_spans(text) or [(0, len(text))]])
        mean = rows.mean(axis=0)
        store.add(passage_digest(text), mean / np.linalg.norm(mean), rows)
    store.flush()
