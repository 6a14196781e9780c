"""Passages embedded per second (with their sentences): the way before the scheduler beside the scheduler's, in one run.

    python -m bench.embedding_speed [--passages 240] [--rounds 3]

Both embed the same real English passages (recombined SQuAD sentences,
``bench.text``) with the shipped int8 MiniLM, alternating round by round so
that a noisy machine weighs on both alike:

- *before*: the background job this project had until now: four passages per
  call to the model, eight texts per forward pass, one thread at niceness 10;
- *after*: ``EmbeddingScheduler`` over a ``PassageVectors``, as the bot runs it
  when no question is being answered: batches of ``BATCH`` passages split over
  the cores, texts sorted by length into forward passes of up to
  ``BATCH_TEXTS`` texts or ``BATCH_TOKENS`` tokens, at niceness 10;
- *after, one core*: the same on one core, to tell the batching's share from
  the cores'.

It prints each round, the medians, their ratios, and what 3,000 and 100,000
passages would take at the median rate. On a machine busy with other work the
niced threads get little of it: measure idle.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time

from bench.scale import load_average
from bench.text import build_corpus, sentence_pool
from quotebot.retrieval.index.embedding_scheduler import EmbeddingScheduler, lower_priority
from quotebot.retrieval.index.onnx_embedder import DEFAULT_MODEL_NAME, OnnxEmbedder, default_files
from quotebot.retrieval.index.passage_vectors import PassageVectors, embed_passage_texts
from quotebot.retrieval.index.vector_store import VectorStore
from quotebot.retrieval.ingest.models import Document, Passage

# The background job before the scheduler: passages per call, texts per forward pass.
BEFORE_PASSAGES_PER_CALL = 4
BEFORE_TEXTS_PER_PASS = 8


def passages_of(texts: list[str]) -> list[Passage]:
    document = Document(id="bench.md", title="Bench", body="\n\n".join(texts))
    return [
        Passage(id=f"bench.md#{i}", document=document, section=None, paragraph=i, start=0, end=len(text), text=text)
        for i, text in enumerate(texts)
    ]


def before(texts: list[str]) -> float:
    """Passages per second, embedded as the background job did before the scheduler (on a niced thread)."""
    embedder = OnnxEmbedder(default_files(), DEFAULT_MODEL_NAME, batch_texts=BEFORE_TEXTS_PER_PASS, batch_tokens=1 << 30)
    embedder.embed(["warm up"])
    seconds: list[float] = []

    def run() -> None:
        lower_priority()
        started = time.perf_counter()
        for first in range(0, len(texts), BEFORE_PASSAGES_PER_CALL):
            embed_passage_texts(embedder, texts[first:first + BEFORE_PASSAGES_PER_CALL])
        seconds.append(time.perf_counter() - started)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return len(texts) / seconds[0]


def after(texts: list[str], cores: int) -> float:
    """Passages per second, embedded by the scheduler with no question being answered."""
    embedder = OnnxEmbedder(default_files(), DEFAULT_MODEL_NAME)
    embedder.embed(["warm up"])
    vectors = PassageVectors(passages_of(texts), VectorStore([], embedder.identity, embedder.dimension), embedder)
    scheduler = EmbeddingScheduler(cores=cores)
    started = time.perf_counter()
    scheduler.follow("bench", vectors)
    scheduler.wait("bench")
    seconds = time.perf_counter() - started
    scheduler.stop()
    assert vectors.complete
    return len(texts) / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=240, help="passages embedded each way per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1, help="cores the scheduler may use")
    args = parser.parse_args(argv)
    pool = sentence_pool(7)
    rng = random.Random(7)
    print(f"{args.passages} passages a round, {args.rounds} rounds, {args.cores} cores; sentences from {pool.source}")
    print(f"load average at start: {load_average()}")
    rates: dict[str, list[float]] = {"before": [], "after, one core": [], "after": []}
    for round_number in range(1, args.rounds + 1):
        corpus = build_corpus(pool, args.passages, rng)
        texts = [corpus.text(i) for i in range(args.passages)]
        rates["before"].append(before(texts))
        rates["after, one core"].append(after(texts, 1))
        rates["after"].append(after(texts, args.cores))
        print(f"round {round_number}: " + ", ".join(f"{name} {values[-1]:.1f}/s" for name, values in rates.items()))
    was = statistics.median(rates["before"])
    one, now = statistics.median(rates["after, one core"]), statistics.median(rates["after"])
    print(f"median passages per second: before {was:.1f}, after on one core {one:.1f} ({one / was:.2f}x), "
          f"after on {args.cores} cores {now:.1f} ({now / was:.2f}x)")
    for count in (3_000, 100_000):
        print(f"{count:,} passages: before {_duration(count / was)}, after {_duration(count / now)}")
    print(f"load average at end: {load_average()}")
    return 0


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s"


if __name__ == "__main__":
    raise SystemExit(main())
