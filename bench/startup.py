"""Start-up time of ``quotebot ask`` on a large corpus folder, without and with the index cache.

Run as ``python -m bench.startup [--passages 100000] [--keep DIR]``. It writes
a corpus of Markdown documents (one passage per paragraph, from
``bench.text``), then times separate ``quotebot ask --lexical`` processes: the first
finds no cache (it indexes and saves), the next ones find it. The time of a
process that only imports what ``quotebot ask`` imports is shown too, since
it bounds every start from below.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.text import build_corpus, question_phrases, sentence_pool
from quotebot.retrieval.index.cache_location import CACHE_FOLDER

PARAGRAPHS_PER_DOCUMENT = 100


def write_corpus(folder: Path, passages: int, seed: int) -> str:
    """Write ``passages`` paragraphs as documents of ``PARAGRAPHS_PER_DOCUMENT``; return a question about one."""
    rng = random.Random(seed)
    corpus = build_corpus(sentence_pool(seed), passages, rng)
    for first in range(0, passages, PARAGRAPHS_PER_DOCUMENT):
        paragraphs = [corpus.text(i) for i in range(first, min(first + PARAGRAPHS_PER_DOCUMENT, passages))]
        number = first // PARAGRAPHS_PER_DOCUMENT + 1
        text = f"---\ntitle: Benchmark document {number}\n---\n\n" + "\n\n".join(paragraphs) + "\n"
        (folder / f"doc-{number:05d}.md").write_text(text, encoding="utf-8")
    return question_phrases(corpus, 1, rng)[0]


def add_corpus_options(parser: argparse.ArgumentParser) -> None:
    """The options of benchmarks that write a corpus folder of ``--passages`` passages."""
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="warm starts to time")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="write the corpus here and keep it")


@contextmanager
def corpus_folder(keep: Path | None, prefix: str) -> Iterator[Path]:
    """``keep`` (created), or a temporary folder removed afterwards."""
    folder = keep or Path(tempfile.mkdtemp(prefix=prefix))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield folder
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.splitlines()[0])
    add_corpus_options(parser)
    args = parser.parse_args(argv)
    with corpus_folder(args.keep, "quotebot-startup-") as folder:
        question = write_corpus(folder, args.passages, args.seed)
        shutil.rmtree(folder / CACHE_FOLDER, ignore_errors=True)
        ask = [sys.executable, "-m", "quotebot", "ask", "--lexical", "--corpus", str(folder), question]
        imports = [sys.executable, "-c", "import quotebot.bot.cli.ask, quotebot.bot.cli.corpus_check, quotebot.bot.render, quotebot.retrieval.live"]
        print(f"corpus: {args.passages:,} passages in {folder}; question: {question!r}")
        print(f"imports only:           {min(timed(imports) for _ in range(args.runs)):6.2f} s (best of {args.runs})")
        print(f"cold (no index cache):  {timed(ask):6.2f} s")
        warm = sorted(timed(ask) for _ in range(args.runs))
        print(f"warm (cache present):   {warm[len(warm) // 2]:6.2f} s (median of {args.runs}; all: "
              + ", ".join(f"{t:.2f}" for t in warm) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
