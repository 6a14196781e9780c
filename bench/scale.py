"""quotebot's BM25 against rank-bm25 and bm25s, side by side, from 1k to 1M passages.

Run as ``python -m bench.scale [--sizes 1000 10000 100000 1000000]
[--questions N] [--seed S]``. Every engine indexes the same token lists
(quotebot's own analysis of English sentences, see ``bench.text``) with the
same scoring (k1=1.2, b=0.75, Lucene's idf) and answers the same questions,
one at a time, with its top 10 passages. Times are wall-clock per question
(p50/p99) and per build; tokenizing is not part of a build and is reported
on its own line. Memory is the process's resident size (RSS, from Linux's /proc):
"index" is what stays after the build, "peak" the high-water mark during it
(both relative to before the build; 0 elsewhere than Linux).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.text import Corpus, build_corpus, question_phrases, sentence_pool
from quotebot.retrieval.index.bm25 import K1, B, ReferenceBM25, SparseBM25
from quotebot.retrieval.index.tokens import terms

TOP_K = 10
# rank-bm25 costs O(passages) of Python per query term; it answers this many
# questions divided by the number of passages (at least 20), so that each
# size costs it about the same time.
RANK_BM25_WORK = 20_000_000
# Passages whose text is tokenized to measure tokenizing speed.
TOKENIZE_SAMPLE = 5_000


@dataclass(frozen=True)
class Engine:
    """How to build one BM25 implementation from token lists and ask it for the top ``TOP_K``."""

    name: str
    build: Callable[[list[list[str]]], Any]
    search: Callable[[Any, list[str]], list[int]]
    questions: Callable[[int], int]  # how many questions to time at a corpus size


@dataclass(frozen=True)
class Result:
    engine: str
    passages: int
    build_seconds: float
    index_mb: float
    peak_mb: float
    p50_ms: float
    p99_ms: float
    questions: int
    rankings: list[list[int]]
    exact_mb: float | None  # for quotebot, the bytes its index holds, counted array by array


def dense_top(scores: np.ndarray, k: int = TOP_K) -> list[int]:
    """The top ``k`` positive scores of a dense array, best first, ties by position (as ``SparseBM25.top``)."""
    positive = np.flatnonzero(scores > 0)
    if positive.size > k:
        positive = positive[scores[positive] >= np.partition(scores[positive], positive.size - k)[positive.size - k]]
    return positive[np.lexsort((positive, -scores[positive]))][:k].tolist()


def engines() -> list[Engine]:
    everything: Callable[[int], int] = lambda size: sys.maxsize
    found = [
        Engine("quotebot", SparseBM25.build, lambda index, q: [i for i, _ in index.top(q, TOP_K)], everything),
        Engine(
            "rank-bm25",
            ReferenceBM25,
            lambda index, q: dense_top(index.get_scores(q)),
            lambda size: max(20, RANK_BM25_WORK // size),
        ),
    ]
    try:
        import bm25s
    except ImportError:
        return found

    def build_bm25s(tokens: list[list[str]]) -> Any:
        retriever = bm25s.BM25(k1=K1, b=B, method="lucene")
        retriever.index(tokens, show_progress=False)
        return retriever

    found.append(Engine("bm25s", build_bm25s, lambda index, q: dense_top(index.get_scores(q)), everything))
    return found


def measure(engine: Engine, tokens: list[list[str]], queries: Sequence[list[str]]) -> Result:
    """Build ``engine`` over ``tokens`` and time it on (a sample of) ``queries``."""
    gc.collect()
    before = resident_bytes()
    _reset_peak()
    started = time.perf_counter()
    index = engine.build(tokens)
    build_seconds = time.perf_counter() - started
    peak = _peak_rss() - before
    retained = resident_bytes() - before
    exact = index.nbytes() / 1e6 if isinstance(index, SparseBM25) else None
    sample = queries[: engine.questions(len(tokens))]
    engine.search(index, sample[0])  # first-call costs (imports, caches) are not a question's
    times, rankings = [], []
    for query in sample:
        started_ns = time.perf_counter_ns()
        rankings.append(engine.search(index, query))
        times.append(time.perf_counter_ns() - started_ns)
    del index
    gc.collect()
    return Result(
        engine=engine.name,
        passages=len(tokens),
        build_seconds=build_seconds,
        index_mb=retained / 1e6,
        peak_mb=peak / 1e6,
        p50_ms=float(np.percentile(times, 50)) / 1e6,
        p99_ms=float(np.percentile(times, 99)) / 1e6,
        questions=len(sample),
        rankings=rankings,
        exact_mb=exact,
    )


def tokenize_seconds(corpus: Corpus, rng: random.Random) -> tuple[float, int]:
    """Estimated time to tokenize the whole corpus's text, from a timed sample of its passages."""
    count = len(corpus.sentences)
    sample = rng.sample(range(count), min(count, TOKENIZE_SAMPLE))
    texts = [corpus.text(i) for i in sample]
    started = time.perf_counter()
    for text in texts:
        terms(text)
    return (time.perf_counter() - started) * count / len(sample), len(sample)


def agreement(ours: list[list[int]], theirs: list[list[int]]) -> str:
    same = sum(a == b for a, b in zip(ours, theirs))
    return f"{same}/{len(theirs)}"


def machine() -> str:
    cpu_lines = _read("/proc/cpuinfo").splitlines()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpu_lines if line.startswith("model name")),
        platform.processor() or "unknown CPU",
    )
    versions = [f"Python {platform.python_version()}", f"numpy {np.__version__}"]
    for package in ("rank_bm25", "bm25s"):
        try:
            from importlib.metadata import version

            versions.append(f"{package.replace('_', '-')} {version(package.replace('_', '-'))}")
        except Exception:  # noqa: BLE001 - not installed is fine
            versions.append(f"{package} not installed")
    memory = _proc_kib("/proc/meminfo", "MemTotal:") / 2**20
    return (
        f"{model}, {os.cpu_count()} logical cores, {memory:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}; " + ", ".join(versions)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--questions", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    print(f"load average at start: {load_average()}")
    rng = random.Random(args.seed)
    pool = sentence_pool(args.seed)
    print(f"text: {pool.source}")
    words = sum(pool.words)
    print(f"tokenizing the sentence pool: {words:,} words in {pool.tokenize_seconds:.2f} s (term cache cold)")
    print()
    columns = "passages engine build_s index_MB peak_MB p50_ms p99_ms questions p50_/_quotebot's top-10_=_quotebot's"
    print("| " + " | ".join(name.replace("_", " ") for name in columns.split()) + " |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    notes = []
    for size in args.sizes:
        corpus = build_corpus(pool, size, rng)
        tokens = corpus.tokens()
        queries = [terms(phrase) for phrase in question_phrases(corpus, args.questions, rng)]
        seconds, sampled = tokenize_seconds(corpus, rng)
        notes.append(
            f"{size:,} passages ({corpus.words():,} words): tokenizing their text takes ~{seconds:.1f} s "
            f"(estimated from {sampled:,} passages), not included in the build times"
        )
        ours: Result | None = None
        for engine in engines():
            result = measure(engine, tokens, queries)
            ours = ours or result
            if result.exact_mb is not None:
                notes.append(f"{size:,} passages: {result.engine}'s index holds {result.exact_mb:.0f} MB (array nbytes)")
            ratio = result.p50_ms / ours.p50_ms
            same = agreement(ours.rankings, result.rankings)
            print(
                f"| {size:,} | {result.engine} | {result.build_seconds:.2f} | {result.index_mb:.0f} | "
                f"{result.peak_mb:.0f} | {result.p50_ms:.3f} | {result.p99_ms:.3f} | {result.questions:,} | "
                f"{ratio:.1f}× | {same} |",
                flush=True,
            )
        del tokens, corpus
    print()
    for note in notes:
        print(f"- {note}")
    print(f"- load average at end: {load_average()}")
    return 0


def resident_bytes() -> int:
    """This process's resident memory now (Linux /proc; 0 elsewhere)."""
    return _proc_kib("/proc/self/status", "VmRSS:") * 1024


def _reset_peak() -> None:
    """Reset the kernel's high-water mark of this process's RSS (Linux; elsewhere peak is since start)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_rss() -> int:
    return _proc_kib("/proc/self/status", "VmHWM:") * 1024


def _proc_kib(path: str, field: str) -> int:
    """A kB figure from a /proc file (Linux); 0 where there is none, which shows as 0 MB."""
    for line in _read(path).splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
