"""The whole answer at index speed: ``quotebot ask`` beside rank-bm25 and bm25s, measured side by side in one run.

Run as ``python -m bench.answer_speed [--passages 100000] [--questions 1000]
[--runs 3] [--keep DIR]``. It writes a corpus of Markdown documents of
SQuAD sentences (``bench.startup``), asks SQuAD's own questions (generated
phrases without SQuAD), and measures, on this machine, in this run:

- **answer**: each question through the lexical answer path (BM25, sentence
  re-ranking, quote, decision) and its ``--json`` line, in one process
  (median and p99), and ``quotebot ask --json`` answering all of them from
  standard input (its time minus a warm start, per question). Beside it,
  over the same tokens: ``rank_bm25`` ``get_scores`` + argmax, and bm25s
  ``get_scores`` + argmax (scoring only: no sentences, quote or decision);
- **build**: ``quotebot ask`` on the corpus with no saved index: from text to
  a saved index (and one answer), with the peak memory of the building
  process and the size of the saved index;
- **warm start**: ``quotebot ask`` on the unchanged corpus, to its answer
  (printed; the process may still be writing the saved index);
- **restart after an edit**: one document changed, then ``quotebot ask``, to its answer;
- **the semantic path** (the default install; skipped with ``--lexical-only``):
  every passage given vectors first ("vectors already computed": each
  sentence of the corpus's pool embedded by the real model, a passage's
  vector the mean of its sentences', ``bench.pool_vectors``), then the same
  questions in one process and through ``quotebot ask --json`` from standard
  input, with the question's embedding and the nearest-passage search timed
  on their own.

Times are wall-clock medians; the machine may be shared, so the load average
is printed with them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from bench.pool_vectors import embed_pool, fill_store
from bench.scale import load_average, machine
from bench.startup import PARAGRAPHS_PER_DOCUMENT, add_corpus_options, corpus_folder, write_corpus
from bench.text import SQUAD, build_corpus, question_phrases, sentence_pool
from quotebot.retrieval.answer.fusion import NEAREST
from quotebot.retrieval.answer.questions import analyze
from quotebot.retrieval.index.bm25 import K1, B, ReferenceBM25, SparseBM25
from quotebot.retrieval.index.cache import cache_paths
from quotebot.retrieval.index.embedding import SemanticUnavailable
from quotebot.retrieval.index.onnx_embedder import load_embedder
from quotebot.retrieval.index.vector_store import VectorStore
from quotebot.retrieval.live import LiveEngine

# rank-bm25 walks every passage in Python for each question term: it answers
# this many questions divided by the number of passages (at least 10).
RANK_BM25_WORK = 3_000_000


def squad_questions(count: int, seed: int) -> list[str]:
    """SQuAD's own questions about the articles the corpus's sentences come from (phrases without SQuAD)."""
    if not SQUAD.is_file():
        rng = random.Random(seed)
        return question_phrases(build_corpus(sentence_pool(seed), 1_000, rng), count, rng)
    with gzip.open(SQUAD, "rt", encoding="utf-8") as handle:
        articles = json.load(handle)["data"]
    questions = [qa["question"] for a in articles for p in a["paragraphs"] for qa in p["qas"]]
    return [questions[i % len(questions)] for i in range(count)]


def ask_command(folder: Path, *extra: str, lexical: bool = True) -> list[str]:
    """``quotebot ask`` on the lexical path (the semantic model off), or on the default (semantic) one."""
    path = ["--lexical"] if lexical else []
    return [sys.executable, "-m", "quotebot", "ask", *path, "--corpus", str(folder), *extra]


def wall(command: list[str], stdin: str | None = None) -> float:
    """Seconds until ``command`` exits."""
    started = time.perf_counter()
    subprocess.run(command, check=True, input=stdin, text=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def first_answer(command: list[str]) -> float:
    """Seconds until ``command`` prints its answer (it may go on saving the index before it exits)."""
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        process.stdout.readline()
        seconds = time.perf_counter() - started
        process.stdout.read()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return seconds


def build_in_child(folder: Path) -> tuple[float, float]:
    """Seconds and peak memory (MB) of ``quotebot ask`` indexing ``folder`` from text, in a fresh process."""
    script = (
        "import sys, time; from pathlib import Path\n"
        "from bench.answer_speed import peak_mb\n"
        "from quotebot.bot.cli import main\n"
        "started = time.perf_counter()\n"
        "main(['ask', '--lexical', '--corpus', sys.argv[1], 'What is this about?'])\n"
        "print(time.perf_counter() - started, peak_mb(), file=sys.stderr)\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder)], check=True, text=True, capture_output=True
    )
    seconds = time.perf_counter() - started
    return seconds, float(done.stderr.split()[-1])


def peak_mb() -> float:
    """This process's peak resident memory (Linux; 0 elsewhere)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0.0)


def timed_each(questions: Sequence[object], answer: Callable[[object], object]) -> list[float]:
    """Milliseconds per question, the first (warming caches) not counted."""
    answer(questions[0])
    times = []
    for question in questions:
        started = time.perf_counter_ns()
        answer(question)
        times.append((time.perf_counter_ns() - started) / 1e6)
    return times


def corpus_tokens(bm25: SparseBM25) -> list[list[str]]:
    """Every passage's indexed terms (in term order: BM25 does not read order), from the index itself."""
    term_ids, passages = bm25.occurrences()
    order = np.argsort(passages, kind="stable")
    counts = np.bincount(passages, minlength=bm25.passage_count)
    terms = np.array(bm25.terms, dtype=object)[term_ids[order]]
    return [list(chunk) for chunk in np.split(terms, np.cumsum(counts)[:-1])]


def rank_bm25_answer(reference: ReferenceBM25) -> Callable[[object], object]:
    return lambda query: int(np.argmax(reference.get_scores(query)))


def bm25s_index(tokens: list[list[str]]) -> object | None:
    try:
        import bm25s
    except ImportError:
        return None
    retriever = bm25s.BM25(k1=K1, b=B, method="lucene")
    retriever.index(tokens, show_progress=False)
    return retriever


def percentile(values: Sequence[float], share: float) -> float:
    return float(np.percentile(values, share))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.answer_speed", description=__doc__.splitlines()[0])
    add_corpus_options(parser)
    parser.add_argument("--questions", type=int, default=1_000)
    parser.add_argument("--lexical-only", action="store_true", help="skip the semantic path")
    args = parser.parse_args(argv)
    with corpus_folder(args.keep, "quotebot-answer-speed-") as folder:
        return _measure(folder, args)


def _measure(folder: Path, args: argparse.Namespace) -> int:
    print(f"machine: {machine()}")
    print(f"load average at start: {load_average()}")
    for old in folder.glob("doc-*.md"):
        old.unlink()
    write_corpus(folder, args.passages, args.seed)
    shutil.rmtree(cache_paths(folder)[0].parent, ignore_errors=True)
    questions = squad_questions(args.questions, args.seed)
    source = "SQuAD v1.1 dev questions" if SQUAD.is_file() else "phrases cut from the corpus (SQuAD not found)"
    print(f"corpus: {args.passages:,} passages in {args.passages // PARAGRAPHS_PER_DOCUMENT:,} Markdown documents; "
          f"{len(questions):,} {source}")

    build_seconds, build_peak = build_in_child(folder)
    index_mb = cache_paths(folder)[0].stat().st_size / 1e6
    # Files written moments before the build are read again once (their times are too recent to trust).
    wall(ask_command(folder, questions[0]))
    warm = [first_answer(ask_command(folder, questions[0])) for _ in range(args.runs)]
    batch = wall(ask_command(folder, "--json"), stdin="\n".join(questions) + "\n")
    exit_after_answer = statistics.median(wall(ask_command(folder, questions[0])) for _ in range(args.runs))
    restarts = []
    for run in range(args.runs):
        edited = folder / f"doc-{run + 1:05d}.md"
        edited.write_text(edited.read_text(encoding="utf-8") + f"\nAn added line, edit number {run}.\n", encoding="utf-8")
        restarts.append(first_answer(ask_command(folder, questions[0])))
        wall(ask_command(folder, questions[0]))  # the saved index written, for the next run

    live = LiveEngine(folder)
    live.load()
    ours = timed_each(questions, lambda q: json.dumps(live.ask(str(q)).to_json()))
    bm25 = live.engine.corpus.bm25
    queries = [list(analyze(q).terms) or ["?"] for q in questions]
    tokens = corpus_tokens(bm25)
    sample = queries[: max(10, RANK_BM25_WORK // args.passages)]
    rank_bm25 = timed_each(sample, rank_bm25_answer(ReferenceBM25(tokens)))
    retriever = bm25s_index(tokens)
    bm25s_times = (
        timed_each(queries, lambda q: int(np.argmax(retriever.get_scores(q)))) if retriever is not None else None
    )

    semantic = None if args.lexical_only else _semantic(folder, questions, live, args)

    warm_median = statistics.median(warm)
    batch_per_question = max(batch - exit_after_answer, 0.0) / len(questions) * 1e3
    ours_p50 = statistics.median(ours)
    print()
    print("| passages | measure | quotebot | rank-bm25 | bm25s | rank-bm25 / quotebot |")
    print("|---:|---|---:|---:|---:|---:|")
    rank_p50 = statistics.median(rank_bm25)
    bm25s_cell = f"{statistics.median(bm25s_times):.3f}" if bm25s_times else "not installed"
    rows = [
        ("answer a question, p50 ms (lexical: BM25, sentences, quote, decision; --json line)", f"{ours_p50:.3f}",
         f"{rank_p50:.3f}", bm25s_cell, times(rank_p50, ours_p50)),
        ("answer a question, p99 ms", f"{percentile(ours, 99):.3f}", f"{percentile(rank_bm25, 99):.3f}",
         f"{percentile(bm25s_times, 99):.3f}" if bm25s_times else "-", ""),
        (f"quotebot ask --json, {len(questions):,} questions from stdin, ms per question", f"{batch_per_question:.3f}",
         "", "", times(rank_p50, batch_per_question)),
        ("build: text to saved index (cold `quotebot ask`), s", f"{build_seconds:.2f}", "", "", ""),
        ("build: peak memory of the building process, MB / saved index, MB",
         f"{build_peak:.0f} / {index_mb:.0f}", "", "", ""),
        (f"warm start: `quotebot ask` to its answer, s (median of {args.runs})", f"{warm_median:.2f}", "", "", ""),
        (f"restart after editing one document, s (median of {args.runs}; beyond the warm start)",
         f"{statistics.median(restarts):.2f} ({statistics.median(restarts) - warm_median:+.2f})", "", "", ""),
    ]
    if semantic is not None:
        rows += semantic.rows(rank_p50, bm25s_cell, len(questions))
    for measure, *cells in rows:
        print(f"| {args.passages:,} | {measure} | " + " | ".join(cells) + " |")
    print()
    print(f"- rank-bm25: `get_scores` + argmax over the questions' own terms, {len(sample)} questions; bm25s: "
          f"`get_scores` + argmax, {len(queries):,} questions; both over quotebot's own terms of every passage "
          "(scoring only, no sentences, quote or decision).")
    print(f"- warm starts: {', '.join(f'{t:.2f}' for t in warm)} s; restarts after an edit: "
          f"{', '.join(f'{t:.2f}' for t in restarts)} s; batch of {len(questions):,}: {batch:.2f} s")
    if semantic is not None:
        print(f"- semantic path: {semantic.note}")
    print(f"- load average at end: {load_average()}")
    return 0


def times(theirs: float, ours: float) -> str:
    """How many times faster quotebot is: whole numbers from 10× up, two figures below (0.14×, 2.5×)."""
    if not ours:
        return ""
    ratio = theirs / ours
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.2g}×"


SEMANTIC_ANSWER = (
    "answer a question, p50 ms (semantic, the default: also the question's embedding, the nearest passages, "
    "cosines; --json line)"
)


@dataclass(frozen=True)
class SemanticTimes:
    """The semantic path's figures, in milliseconds unless named otherwise."""

    answer: list[float]
    embed: list[float]
    search: list[float]
    batch_per_question: float
    warm: list[float]
    note: str

    def rows(self, rank_p50: float, bm25s_cell: str, questions: int) -> list[tuple[str, ...]]:
        p50 = statistics.median(self.answer)
        return [
            (SEMANTIC_ANSWER, f"{p50:.3f}", f"{rank_p50:.3f}", bm25s_cell, times(rank_p50, p50)),
            ("answer a question (semantic), p99 ms", f"{percentile(self.answer, 99):.3f}", "", "", ""),
            ("of which: embedding the question, p50 ms / nearest-passage search, p50 ms",
             f"{statistics.median(self.embed):.3f} / {statistics.median(self.search):.3f}", "", "", ""),
            (f"quotebot ask --json (semantic), {questions:,} questions from stdin, ms per question",
             f"{self.batch_per_question:.3f}", "", "",
             times(rank_p50, self.batch_per_question)),
            (f"warm start (semantic): `quotebot ask` to its answer, s (median of {len(self.warm)})",
             f"{statistics.median(self.warm):.2f}", "", "", ""),
        ]


def _semantic(folder: Path, questions: list[str], live: LiveEngine, args: argparse.Namespace) -> SemanticTimes | None:
    """Every passage given vectors, then the semantic path timed in one process and through ``quotebot ask``."""
    try:
        embedder = load_embedder()
    except SemanticUnavailable as error:
        print(f"semantic path skipped: {error}")
        return None
    started = time.perf_counter()
    store = VectorStore.for_corpus(folder, embedder.identity, embedder.dimension)
    fill_store(store, live.engine.corpus.passages, embed_pool(embedder, sentence_pool(args.seed)))
    made = time.perf_counter() - started
    ask = partial(ask_command, folder, lexical=False)
    warm = [first_answer(ask(questions[0])) for _ in range(args.runs)]
    batch = wall(ask("--json"), stdin="\n".join(questions) + "\n")
    exit_after_answer = statistics.median(wall(ask(questions[0])) for _ in range(args.runs))
    semantic = LiveEngine(folder, embedder)
    semantic.load()
    vectors = semantic.engine.vectors
    assert vectors is not None and vectors.complete, "every passage was given vectors"
    answer = timed_each(questions, lambda q: json.dumps(semantic.ask(str(q)).to_json()))
    embed = timed_each(questions, lambda q: embedder.embed([str(q)]))
    units = list(embedder.embed(questions))
    search = timed_each(units, lambda unit: vectors.nearest(unit, NEAREST))
    semantic.close()
    note = (f"vectors of the {len(live.engine.corpus.passages):,} passages made in {made:.0f} s from the pool's "
            f"sentences, embedded by {embedder.identity.split(':')[0]}; warm starts "
            f"{', '.join(f'{t:.2f}' for t in warm)} s; batch of {len(questions):,}: {batch:.2f} s")
    return SemanticTimes(answer, embed, search, max(batch - exit_after_answer, 0.0) / len(questions) * 1e3, warm, note)


if __name__ == "__main__":
    sys.exit(main())
