"""``quotebot ask``: answer questions from the command line, as text or JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

from retrieval.engine import DEFAULT_TOP_K, MAX_TOP_K
from retrieval.live import LiveEngine


def register(commands: argparse._SubParsersAction) -> None:
    from bot.cli import add_corpus_option

    parser = commands.add_parser(
        "ask",
        help="answer a question from the corpus",
        description="Answer QUESTION (its words joined), or each line of standard input when none is given.",
    )
    add_corpus_option(parser)
    parser.add_argument("--top-k", type=_top_k, default=DEFAULT_TOP_K, metavar="K", help="passages to rank (default 3)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per question, one per line")
    parser.add_argument("question", nargs="*", metavar="QUESTION")
    parser.set_defaults(handler=run)


def _top_k(value: str) -> int:
    number = int(value)
    if not 1 <= number <= MAX_TOP_K:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_TOP_K}")
    return number


def run(args: argparse.Namespace) -> int:
    from bot.cli.corpus_check import warn_about_problems
    from bot.render import answer_markdown

    live = LiveEngine(args.corpus)
    warn_about_problems(live.load().problems)
    for number, question in enumerate(_questions(args)):
        answer = live.ask(question, args.top_k)
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        else:
            print(("\n" if number else "") + answer_markdown(answer), flush=True)
    return 0


def _questions(args: argparse.Namespace) -> Iterator[str]:
    if args.question:
        yield " ".join(args.question)
        return
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")
