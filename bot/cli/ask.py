"""``quotebot ask``: answer questions from the command line, as text or JSON lines."""

from __future__ import annotations

import argparse
import codecs
import json
import sys
from collections.abc import Callable, Iterator

from quotebot.retrieval import DEFAULT_TOP_K, MAX_TOP_K, Answer, LiveEngine


def register(commands: argparse._SubParsersAction) -> None:
    from quotebot.bot.cli import add_corpus_option, add_lexical_option

    parser = commands.add_parser(
        "ask",
        help="answer a question from the corpus",
        description="Answer QUESTION (its words joined), or each line of standard input when none is given.",
    )
    add_corpus_option(parser)
    add_lexical_option(parser)
    parser.add_argument("--top-k", type=_top_k, default=DEFAULT_TOP_K, metavar="K", help=f"passages to list in the results (default {DEFAULT_TOP_K})")
    parser.add_argument("--json", action="store_true", help="print one JSON object per question, one per line")
    parser.add_argument("question", nargs="*", metavar="QUESTION")
    parser.set_defaults(handler=run, serves_servers=False)


def _top_k(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if not 1 <= number <= MAX_TOP_K:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_TOP_K}")
    return number


def run(args: argparse.Namespace) -> int:
    from quotebot.bot.cli.corpus_check import warn_about_problems

    # The Markdown renderer is imported only for human output: ``--json`` is the
    # contract other tools parse and must not depend on the Discord rendering code.
    render = None if args.json else _markdown_renderer()
    # JSON stays valid on a terminal that is not UTF-8 (e.g. a Windows code page) by escaping.
    ascii_only = not _writes_utf8(sys.stdout)
    if render is not None:
        _replace_unencodable(sys.stdout)
    from quotebot.bot.cli import embedder_from, say_default_corpus

    say_default_corpus(args)
    # Saved after the first answer: a restart after an edit answers without waiting for the write.
    live = LiveEngine(args.corpus, embedder_from(args), save_in_background=True)
    try:
        warn_about_problems(live.load().problems)
        for number, question in enumerate(_questions(args)):
            answer = live.ask(question, args.top_k)
            if render is None:
                print(json.dumps(answer.to_json(), ensure_ascii=ascii_only), flush=True)
            else:
                print(("\n" if number else "") + render(answer), flush=True)
    finally:
        # Vectors computed for these questions are kept for the next run.
        live.close()
    return 0


def _markdown_renderer() -> Callable[[Answer], str]:
    from quotebot.bot.render import answer_markdown

    return answer_markdown


def _questions(args: argparse.Namespace) -> Iterator[str]:
    if args.question:
        yield " ".join(args.question)
        return
    # One line of bytes that are not UTF-8 must not end the whole batch with a traceback.
    _replace_unencodable(sys.stdin)
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


def _writes_utf8(stream: object) -> bool:
    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name == "utf-8"
    except LookupError:
        return False


def _replace_unencodable(stream: object) -> None:
    """Turn undecodable input bytes / unencodable output characters into a replacement mark."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None:
        return
    try:
        reconfigure(errors="replace")
    except (ValueError, OSError):
        pass
