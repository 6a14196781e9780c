"""``quotebot corpus embed``: compute every passage's vectors now, with a progress bar, instead of in the background."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from quotebot.retrieval import LiveEngine, describe_corpus


def register(actions: argparse._SubParsersAction) -> None:
    from quotebot.bot.cli import add_corpus_option

    embed = actions.add_parser(
        "embed",
        help="compute the semantic model's vectors of every passage now (kept for the bot and later runs)",
    )
    add_corpus_option(embed)
    embed.set_defaults(handler=run, serves_servers=False)


def run(args: argparse.Namespace) -> int:
    from quotebot.bot.cli import embedder_from
    from quotebot.bot.cli.corpus_check import warn_about_problems

    embedder = embedder_from(args)
    if embedder is None:
        print("quotebot: the semantic model is off or unavailable; there is nothing to embed", file=sys.stderr)
        return 2
    live = LiveEngine(args.corpus, embedder, embed_missing=False)
    warn_about_problems(live.load().problems)
    print(f"Corpus: {describe_corpus(args.corpus)}", file=sys.stderr)
    bar = ProgressBar(sys.stderr)
    try:
        live.embed_all(bar.update)
    finally:
        bar.close()
        live.close()
    progress = live.embedding_progress
    assert progress is not None
    print(f"{progress.ready:,} of {progress.total:,} passages have vectors ({embedder.identity.split(':')[0]})")
    return 0


class ProgressBar:
    """``[#####.....] 1,234/10,000 passages, 3m10s left`` on one redrawn line (a line per 10% when not a terminal)."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.interactive = stream.isatty()
        self.started = time.monotonic()
        self.first: int | None = None
        self.last_tenth = -1

    def update(self, ready: int, total: int) -> None:
        if self.first is None:
            self.first = ready
        tenth = ready * 10 // max(total, 1)
        if not self.interactive and tenth == self.last_tenth and ready < total:
            return
        self.last_tenth = tenth
        filled = self.WIDTH * ready // max(total, 1)
        line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {ready:,}/{total:,} passages{self._left(ready, total)}"
        self.stream.write(("\r" + line) if self.interactive else line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.interactive:
            self.stream.write("\n")
            self.stream.flush()

    def _left(self, ready: int, total: int) -> str:
        done = ready - (self.first or 0)
        if done <= 0 or ready >= total:
            return ""
        seconds = (time.monotonic() - self.started) / done * (total - ready)
        minutes, seconds = divmod(int(seconds), 60)
        return f", {minutes}m{seconds:02d}s left"
