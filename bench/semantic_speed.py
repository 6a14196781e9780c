"""Time per question with the semantic model, beside the lexical path, at corpus sizes up to 100,000 passages.

    python -m bench.semantic_speed [--sizes 1000 10000 100000] [--questions 200] [--embed-sample 100]

For each size, one corpus is indexed (passages of recombined SQuAD
sentences, ``bench.text``) and every passage given vectors before timing
("vectors already computed"): the questions are then asked end to end
(``QuoteEngine.ask``: spelling, BM25, the question's embedding, the
nearest-passage search, sentence evidence, fusion, quote and confidence)
of the semantic engine and of the lexical one over the same index, side by
side in one run. Embedding 100,000 real passages would take two hours, so
each sentence of the pool is embedded once by the real model and a
passage's vector is the mean of its sentences' (the search's cost does not
depend on the values). ``--embed-sample`` passages are also embedded for
real, to report what indexing costs per passage.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from functools import partial

import numpy as np

from bench.answer_speed import percentile, timed_each
from bench.pool_vectors import embed_pool, fill_store
from bench.text import Corpus, build_corpus, question_phrases, sentence_pool
from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.index.corpus_index import build_index
from quotebot.retrieval.index.onnx_embedder import load_embedder
from quotebot.retrieval.index.passage_vectors import PassageVectors, embed_passage_texts
from quotebot.retrieval.index.vector_store import VectorStore
from quotebot.retrieval.ingest.models import Document

PASSAGES_PER_DOCUMENT = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--embed-sample", type=int, default=100, help="passages embedded for real, for the cost")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    embedder = load_embedder()
    pool = sentence_pool(args.seed)
    print(f"text: {pool.source}; model {embedder.identity.split(':')[0]}")
    started = time.perf_counter()
    pool_vectors = embed_pool(embedder, pool)
    print(f"embedded the {len(pool.texts):,} pool sentences in {time.perf_counter() - started:.0f} s")
    print("| passages | path | p50 ms | p99 ms | of which: embed question p50 ms | nearest search p50 ms | p50 / lexical |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        corpus = build_corpus(pool, size, rng)
        questions = question_phrases(corpus, args.questions, rng)
        lexical, semantic = engines(corpus, embedder, pool_vectors)
        lexical_times = timed_each(questions, lexical.ask)
        semantic_times = timed_each(questions, semantic.ask)
        assert semantic.vectors is not None
        unit = [embedder.embed([question])[0] for question in questions]
        embed_times = timed_each(questions, lambda question: embedder.embed([question]))
        search_times = timed_each(unit, partial(semantic.vectors.nearest, k=3))
        base = statistics.median(lexical_times)
        for name, times in (("lexical (`--lexical`)", lexical_times), ("semantic (default)", semantic_times)):
            extra = (
                f"{statistics.median(embed_times):.2f} | {statistics.median(search_times):.2f}"
                if name.startswith("semantic")
                else "- | -"
            )
            print(f"| {size:,} | {name} | {statistics.median(times):.2f} | {percentile(times, 99):.2f} | {extra} | "
                  f"{statistics.median(times) / base:.1f}× |")
    sample = build_corpus(pool, args.embed_sample, rng)
    texts = [sample.text(i) for i in range(args.embed_sample)]
    started = time.perf_counter()
    embed_passage_texts(embedder, texts)
    per_passage = (time.perf_counter() - started) / len(texts)
    print(f"indexing cost: {per_passage * 1000:.0f} ms per passage (the passage and each of its sentences), "
          f"{per_passage * 10_000 / 60:.0f} min for 10,000 passages, one thread")


def engines(corpus: Corpus, embedder, pool_vectors: dict[str, np.ndarray]) -> tuple[QuoteEngine, QuoteEngine]:
    """A lexical and a semantic engine over one index of ``corpus``, every passage with vectors."""
    documents = [
        Document(
            id=f"doc{first // PASSAGES_PER_DOCUMENT}.md",
            title=f"Document {first // PASSAGES_PER_DOCUMENT}",
            body="\n\n".join(corpus.text(i) for i in range(first, min(first + PASSAGES_PER_DOCUMENT, len(corpus.sentences)))),
        )
        for first in range(0, len(corpus.sentences), PASSAGES_PER_DOCUMENT)
    ]
    index = build_index(documents)
    store = VectorStore([], embedder.identity, embedder.dimension)
    fill_store(store, index.passages, pool_vectors)
    vectors = PassageVectors(index.passages, store, embedder)
    assert vectors.complete
    return QuoteEngine(index), QuoteEngine(index, vectors)


if __name__ == "__main__":
    main()
