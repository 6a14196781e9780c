"""Many servers, one process: a corpus per server loaded on demand, beside today's one corpus for everything.

Run as ``python -m bench.servers [--servers 1000] [--passages 200] [--capacities 50 1000]
[--folder DIR]``. It writes (once; ``--folder`` keeps it for the next run) a shared corpus and one corpus
per server, ``--passages`` passages each (``bench.text``: recombined SQuAD sentences), and saves every
index cache. Then each configuration runs in a fresh process, so its resident memory (RSS, from
``/proc``) is its own:

- ``one server, alone``: one server's corpus as today's bot holds its one corpus (``LiveEngine``);
- ``all servers in one corpus``: every server's documents in one index, which is what serving them all
  takes today (and answers every server from every other's documents);
- ``library, at most N loaded``: ``CorpusLibrary`` as the bot uses it, with an LRU of N: every server
  asked once in random order (the first question loads its corpus from its cache), then questions to
  loaded servers, answered from the server's own corpus and from the shared one (``own + shared``) or
  from its own only.

Latencies are wall-clock per question (p50 / p99) in this process, retrieval only (no Discord).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.scale import load_average, machine, resident_bytes
from bench.text import build_corpus, question_phrases, sentence_pool
from quotebot.bot.client import freeze_long_lived_objects
from quotebot.retrieval import CorpusLibrary, LiveEngine

PARAGRAPHS_PER_DOCUMENT = 100
QUESTIONS_PER_SERVER = 5
#: Passes over every server after the first, before memory is measured again.
REPEATED_PASSES = 2
FIRST_GUILD_ID = 1_317_000_000_000_000_100
SHARED = "shared"
SERVERS = "servers"
MANIFEST = "bench-servers.json"


def guild_id(number: int) -> int:
    """Snowflake-like ids one shard step apart, as real servers' ids are spread over shards."""
    return FIRST_GUILD_ID + (number << 22)


def documents_folder(root: Path, name: str) -> Path:
    return root / SERVERS / name / "documents"


def write_corpus(folder: Path, paragraphs: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for first in range(0, len(paragraphs), PARAGRAPHS_PER_DOCUMENT):
        number = first // PARAGRAPHS_PER_DOCUMENT + 1
        body = "\n\n".join(paragraphs[first : first + PARAGRAPHS_PER_DOCUMENT])
        (folder / f"doc-{number}.md").write_text(f"---\ntitle: Document {number}\n---\n\n{body}\n", encoding="utf-8")


def prepare(root: Path, servers: int, passages: int, seed: int) -> dict[str, Any]:
    """Write the corpora and save every index cache, unless ``root`` already holds exactly these."""
    wanted = {"servers": servers, "passages": passages, "seed": seed}
    manifest_path = root / MANIFEST
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if manifest["parameters"] == wanted:
            return manifest
    started = time.perf_counter()
    rng = random.Random(seed)
    pool = sentence_pool(seed)
    questions: dict[str, list[str]] = {}
    for number in range(servers + 1):
        corpus = build_corpus(pool, passages, rng)
        name = SHARED if number == servers else str(guild_id(number))
        folder = root / SHARED if name == SHARED else documents_folder(root, name)
        write_corpus(folder, [corpus.text(i) for i in range(passages)])
        questions[name] = question_phrases(corpus, QUESTIONS_PER_SERVER, rng)
        LiveEngine(folder).load()  # builds and saves the index cache
    LiveEngine(root / SERVERS).load()  # every server's documents as one corpus, as today's bot would hold them
    manifest = {
        "parameters": wanted,
        "text": pool.source,
        "questions": questions,
        "prepare_seconds": time.perf_counter() - started,
    }
    manifest_path.write_text(json.dumps(manifest))
    return manifest


def timed(ask: Callable[[], object]) -> float:
    started = time.perf_counter_ns()
    ask()
    return (time.perf_counter_ns() - started) / 1e6


def quantiles(milliseconds: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(milliseconds, n=100) if len(milliseconds) > 1 else milliseconds * 99
    return {"p50": statistics.median(milliseconds), "p99": cuts[98], "count": len(milliseconds)}


def measure_single(root: Path, manifest: dict[str, Any], which: str, rng: random.Random) -> dict[str, Any]:
    """Today's model: one ``LiveEngine``, for one server's corpus or for every server's documents at once."""
    names = [name for name in manifest["questions"] if name != SHARED]
    folder = documents_folder(root, names[0]) if which == "one" else root / SERVERS
    questions = manifest["questions"][names[0]] if which == "one" else [
        question for name in names for question in manifest["questions"][name]
    ]
    gc.collect()
    before = resident_bytes()
    live = LiveEngine(folder)
    load_ms = timed(live.load)
    rss = resident_bytes() - before
    live.ask(questions[0])
    sample = [rng.choice(questions) for _ in range(1000)]
    latencies = [timed(lambda question=question: live.ask(question)) for question in sample]
    return {"load_ms": load_ms, "rss_mb": rss / 1e6, "steady": quantiles(latencies), "passages": len(live.engine.passages)}


def measure_library(root: Path, manifest: dict[str, Any], capacity: int, rng: random.Random) -> dict[str, Any]:
    """The bot's model: a shared corpus always loaded, each server's loaded on its first question."""
    questions = manifest["questions"]
    names = [name for name in questions if name != SHARED]
    shared = LiveEngine(root / SHARED)
    shared.load()
    shared.ask(questions[SHARED][0])
    freeze_long_lived_objects()  # as the bot does once started
    before = resident_bytes()
    library = CorpusLibrary(shared, lambda name: documents_folder(root, name), capacity=capacity)
    order = rng.sample(names, len(names))
    first = [timed(lambda name=name: library.ask(name, questions[name][0])) for name in order]
    rss = resident_bytes() - before
    for _ in range(REPEATED_PASSES):  # memory must stay bounded however often corpora are dropped and loaded
        for name in rng.sample(names, len(names)):
            library.ask(name, rng.choice(questions[name]))
    rss_later = resident_bytes() - before
    loaded = library.loaded_names()
    own_and_shared, own_only = [], []
    for _ in range(1000):
        name = rng.choice(loaded)
        question = rng.choice(questions[name])
        own_and_shared.append(timed(lambda n=name, q=question: library.ask(n, q, include_shared=True)))
        own_only.append(timed(lambda n=name, q=question: library.ask(n, q, include_shared=False)))
    return {
        "capacity": capacity,
        "loaded": len(loaded),
        "rss_mb": rss / 1e6,
        "rss_later_mb": rss_later / 1e6,
        "first": quantiles(first),
        "steady": quantiles(own_and_shared),
        "own_only": quantiles(own_only),
    }


def run_measurement(root: Path, kind: str, seed: int) -> dict[str, Any]:
    """One configuration in a fresh process, so that its memory is its own."""
    command = [sys.executable, "-m", "bench.servers", "--folder", str(root), "--measure", kind, "--seed", str(seed)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.servers", description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--passages", type=int, default=200, help="passages per server (and in the shared corpus)")
    parser.add_argument("--capacities", type=int, nargs="+", default=[50, 1000], help="LRU sizes to measure")
    parser.add_argument("--folder", type=Path, default=Path("bench-servers"), help="where the corpora are kept")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--measure", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = args.folder.resolve()
    if args.measure is not None:
        manifest = json.loads((root / MANIFEST).read_text())
        rng = random.Random(args.seed)
        kind, _, value = args.measure.partition(":")
        result = measure_single(root, manifest, value, rng) if kind == "single" else measure_library(
            root, manifest, int(value), rng
        )
        print(json.dumps(result))
        return 0
    print(f"machine: {machine()}")
    print(f"load average at start: {load_average()}")
    manifest = prepare(root, args.servers, args.passages, args.seed)
    print(f"text: {manifest['text']}")
    print(
        f"corpora: {args.servers:,} servers × {args.passages} passages and a shared corpus of {args.passages}, "
        f"in {root} (written and indexed in {manifest['prepare_seconds']:.0f} s, once)"
    )
    print()
    print("| configuration | loaded | first question, not loaded: p50 / p99 ms | per question, loaded: p50 / p99 ms "
          f"| own only: p50 / p99 ms | RSS MB | RSS MB after {REPEATED_PASSES} more passes |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for which, label in (("one", "today: one server's corpus alone"), ("all", "today: all servers in one corpus")):
        result = run_measurement(root, f"single:{which}", args.seed)
        steady = result["steady"]
        print(
            f"| {label} ({result['passages']:,} passages) | 1 | load {result['load_ms']:.0f} ms | "
            f"{steady['p50']:.2f} / {steady['p99']:.2f} | — | {result['rss_mb']:.0f} | — |",
            flush=True,
        )
    for capacity in args.capacities:
        result = run_measurement(root, f"library:{capacity}", args.seed)
        first, steady, own = result["first"], result["steady"], result["own_only"]
        print(
            f"| library, at most {capacity:,} loaded, {args.servers:,} servers asked | {result['loaded']:,} | "
            f"{first['p50']:.2f} / {first['p99']:.2f} | {steady['p50']:.2f} / {steady['p99']:.2f} | "
            f"{own['p50']:.2f} / {own['p99']:.2f} | {result['rss_mb']:.0f} | {result['rss_later_mb']:.0f} |",
            flush=True,
        )
    print()
    print("- RSS: resident memory added by the corpora, measured after every server was asked once (the shared")
    print(f"  corpus is loaded before and not counted), and again after every server was asked {REPEATED_PASSES} more")
    print("  times in random order; 'today' rows: after loading the one corpus.")
    print(f"- load average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
