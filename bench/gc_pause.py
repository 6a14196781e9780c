"""How long a full garbage collection stalls the bot, and what ``gc.freeze`` saves: the figures behind
``bot.client.freeze_long_lived_objects``.

A full collection scans every tracked object with the GIL held. This imports
what the bot imports, then loads a corpus of ``--passages`` passages (built,
then again from its index cache) and prints the tracked objects and the
median full collection, unfrozen and frozen. Run: ``python -m bench.gc_pause``.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.servers import write_corpus
from bench.text import build_corpus, sentence_pool

RUNS = 9


def full_collection_ms() -> float:
    """The median of ``RUNS`` full collections, in milliseconds."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        gc.collect()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def line(label: str) -> str:
    gc.collect()
    unfrozen = full_collection_ms()
    gc.freeze()
    frozen = full_collection_ms()
    gc.unfreeze()
    return f"{label}: {len(gc.get_objects()):,} tracked objects; full collection {unfrozen:.1f} ms, frozen {frozen:.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=20_000)
    args = parser.parse_args(argv)
    import quotebot.bot.client
    import quotebot.bot.exts.corpus
    import quotebot.bot.exts.lifecycle
    import quotebot.bot.exts.questions  # noqa: F401 - what the bot imports
    from quotebot.retrieval import LiveEngine

    pool = sentence_pool(1)
    corpus = build_corpus(pool, args.passages, random.Random(1))
    folder = Path(tempfile.mkdtemp()) / "corpus"
    write_corpus(folder, [corpus.text(i) for i in range(args.passages)])
    del pool, corpus
    print(line("the bot's modules imported"))
    built = LiveEngine(folder, None)
    built.load()
    print(line(f"+ a {args.passages:,}-passage index, built"))
    cached = LiveEngine(folder, None)
    cached.load()
    print(line("+ the same corpus again, from its index cache"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
