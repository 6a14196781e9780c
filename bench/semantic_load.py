"""The semantic model on a budget, at full size: the real bot against the Discord stand-in, beside words alone.

    python -m bench.semantic_load [--passages 3000] [--seconds 20] [--scenarios fresh rewrite add embedded servers]

A server's corpus is the article plus one wiki document of ``--passages``
passages (``tests.bot.wiki``), with no vectors yet. Each scenario runs with
the semantic model on (the default install) and off (``QUOTEBOT_SEMANTIC=off``),
one after the other in the same run, and prints both and their ratio:

1. 5 ``/ask`` a second for ``--seconds`` on the fresh corpus;
2. 52 a second with a moderator's ``/corpus reload`` every 2 s that rewrites
   the wiki (every reload brings ``--passages`` passages without vectors);
3. the first question after a moderator adds the wiki with ``/corpus add``;
4. 52 a second once every passage has vectors (embedding them first takes minutes);
5. many servers: a small server's questions while three large corpora embed,
   beside the same questions with nothing embedding (``CorpusLibrary`` in
   process, no Discord).

Final answer: from the interaction sent to the request that delivered the
member's final message. The machine is shared: read medians and ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.scale import load_average
from quotebot.retrieval import CorpusLibrary, LiveEngine, load_embedder
from tests.bot.e2e import copy_corpus, delivered, make_bot, server_documents
from tests.bot.load import LoadReport, run_load
from tests.bot.wiki import wiki_document
from tests.discord_standin import DiscordStandin

QUESTIONS_PER_SECOND = (5.0, 52.0)
SCENARIOS = ("fresh", "rewrite", "add", "embedded", "servers")


def with_wiki(bot, standin: DiscordStandin, passages: int) -> Path:  # type: ignore[no-untyped-def]
    article = {path.name: path.read_bytes() for path in bot.services.live.folder.glob("*.md")}
    wiki = wiki_document(passages).encode()
    return server_documents(bot, standin.world.guild.id, {**article, "wiki.md": wiki})


async def load_run(
    folder: Path, passages: int, *, semantic: bool, rate: float, seconds: float, rewrite: bool, embedded: bool = False
) -> LoadReport:
    """One load scenario in a fresh stand-in and bot."""
    async with DiscordStandin() as standin:
        with standin.patch_discord():
            bot = make_bot(standin, copy_corpus(folder), embedder=load_embedder() if semantic else None)
            own = with_wiki(bot, standin, passages)
            if embedded and semantic:
                prepared = LiveEngine(own, load_embedder())
                prepared.load()
                prepared.embed_all(lambda ready, total: None)
                prepared.close()
            seeds = iter(range(1, 10_000))

            def rewrite_wiki() -> None:
                (own / "wiki.md").write_text(wiki_document(passages, seed=next(seeds)), encoding="utf-8")

            change: Callable[[], None] | None = rewrite_wiki if rewrite else (lambda: None)
            async with standin.running(bot, timeout=60):
                report = await run_load(
                    standin,
                    bot,
                    rate=rate,
                    seconds=seconds,
                    reload_every=2.0 if rewrite else seconds * 10,
                    own=own,
                    change_corpus=change,
                    wait_seconds=15.0,
                )
            stats = bot.services.answering.stats[standin.world.guild.id]
            ranked = stats.by_meaning + stats.by_words
            if semantic and ranked:
                print(f"  (semantic on: {stats.by_words / ranked:.0%} of answers ranked by words alone: their candidates "
                      "had no vectors yet, or there was no candidate)")
            bot.services.live.close()
            return report


async def first_question_after_adding(folder: Path, passages: int, *, semantic: bool) -> float:
    """Seconds from asking to the answer, for the first question after ``/corpus add`` of the wiki."""
    async with DiscordStandin() as standin:
        with standin.patch_discord():
            bot = make_bot(
                standin, copy_corpus(folder), embedder=load_embedder() if semantic else None, max_upload_bytes=50_000_000
            )
            async with standin.running(bot, timeout=60):
                upload = standin.add_attachment("wiki.md", wiki_document(passages).encode(), content_type="text/markdown")
                added = await standin.send_interaction("corpus add", {"file": upload}, user=standin.world.morgan)
                await delivered(standin, added, timeout=600)
                asked_at = time.monotonic()
                question = await standin.send_interaction("ask", {"question": "When was the pier number 13 rebuilt?"})
                await delivered(standin, question, timeout=60)
                return time.monotonic() - asked_at


def many_servers(folder: Path, passages: int, questions: int = 200) -> tuple[float, float]:
    """p99 seconds of a small server's questions with nothing embedding, then while three large corpora embed."""
    embedder = load_embedder()
    shared = LiveEngine(copy_corpus(folder / "shared"), embedder)
    shared.load()
    shared.wait_for_vectors(120)
    library = CorpusLibrary(shared, lambda name: folder / "servers" / name, capacity=10, embedder=embedder)
    small = folder / "servers" / "small"
    small.mkdir(parents=True)
    (small / "wiki.md").write_text(wiki_document(50, seed=99, title="Small wiki"), encoding="utf-8")
    library.change("small")
    library.engine("small").wait_for_vectors(300)  # type: ignore[union-attr]
    asked = [f"When was the lighthouse number {n % 50} rebuilt?" for n in range(questions)]

    def p99() -> float:
        times = []
        for question in asked:
            started = time.perf_counter()
            library.ask("small", question)
            times.append(time.perf_counter() - started)
        return statistics.quantiles(times, n=100)[98]

    idle = p99()
    for n in range(3):
        large = folder / "servers" / f"large-{n}"
        large.mkdir(parents=True)
        (large / "wiki.md").write_text(wiki_document(passages, seed=n, title=f"Large wiki {n}"), encoding="utf-8")
        library.change(f"large-{n}")
    busy = p99()
    backlog = library.scheduler.backlog()
    print(f"  (while measuring: {backlog.missing:,} passages of {backlog.corpora_embedding} corpora still to embed)")
    shared.close()
    return idle, busy


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}x" if theirs > 0 else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS), help="which to run (default: all)"
    )
    args = parser.parse_args(argv)
    print(f"{args.passages:,}-passage wiki, {args.seconds:g} s a run; load average at start: {load_average()}")
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root)
        runs = 0

        def fresh() -> Path:
            nonlocal runs
            runs += 1
            path = folder / f"run-{runs}"
            path.mkdir()
            return path

        loads = [(QUESTIONS_PER_SECOND[0], False), (QUESTIONS_PER_SECOND[1], True)]
        for rate, rewrite in [load for load, name in zip(loads, SCENARIOS) if name in args.scenarios]:
            title = f"{rate:g}/s on the fresh corpus" + (", a reload rewriting it every 2 s" if rewrite else "")
            print(f"\n{title}")
            reports = {}
            for semantic in (True, False):
                report = asyncio.run(
                    load_run(fresh(), args.passages, semantic=semantic, rate=rate, seconds=args.seconds, rewrite=rewrite)
                )
                reports[semantic] = report
                print(f"  semantic {'on ' if semantic else 'off'}: {report}")
            print(f"  final answer p99, on / off: {ratio(reports[True].final_p99_ms, reports[False].final_p99_ms)}")

        if "add" in args.scenarios:
            print("\nfirst question after /corpus add of the wiki")
            first = {semantic: asyncio.run(first_question_after_adding(fresh(), args.passages, semantic=semantic))
                     for semantic in (True, False)}
            print(f"  semantic on {first[True] * 1000:.0f} ms, off {first[False] * 1000:.0f} ms: "
                  f"{ratio(first[True], first[False])}")

        if "embedded" in args.scenarios:
            print(f"\n{QUESTIONS_PER_SECOND[1]:g}/s once every passage has vectors")
            embedded = {
                semantic: asyncio.run(
                    load_run(fresh(), args.passages, semantic=semantic, rate=QUESTIONS_PER_SECOND[1],
                             seconds=args.seconds, rewrite=False, embedded=True)
                )
                for semantic in (True, False)
            }
            for semantic, report in embedded.items():
                print(f"  semantic {'on ' if semantic else 'off'}: {report}")
            print(f"  final answer p99, on / off: {ratio(embedded[True].final_p99_ms, embedded[False].final_p99_ms)}")

        if "servers" in args.scenarios:
            print("\nmany servers: a small server's questions (p99), idle and while three large corpora embed")
            idle, busy = many_servers(fresh(), args.passages)
            print(f"  idle {idle * 1000:.1f} ms, while embedding {busy * 1000:.1f} ms: {ratio(busy, idle)}")
    print(f"\nload average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
