"""``quotebot chat``: ask questions in a terminal and see exactly what the bot would post.

It shares the renderer with the Discord front end, so a corpus can be tried
out, and an answer's Markdown checked, without a token or a network.
"""

from __future__ import annotations

import argparse
import sys

from quotebot.bot.cli.corpus_check import warn_about_problems
from quotebot.bot.cli.runner import ConfigurationError, failure_status, live_engine, load_settings
from quotebot.bot.render import answer_markdown

PROMPT = "? "


def main(args: argparse.Namespace) -> int:
    """Answer one question per line of input until end of input or Ctrl-C."""
    try:
        settings = load_settings(args)
        live = live_engine(settings)
    except ConfigurationError as error:
        return failure_status(error)
    report = live.load()
    warn_about_problems(report.problems)
    interactive = sys.stdin.isatty()
    if interactive:
        print(
            f"quotebot chat: {report.documents} documents, {report.passages} passages. "
            "Ask a question; Ctrl-D or Ctrl-C to quit.",
            file=sys.stderr,
        )
    try:
        while True:
            question = input(PROMPT if interactive else "").strip()
            if question:
                print(answer_markdown(live.ask(question, settings.top_k)), end="\n\n", flush=True)
    except EOFError:
        pass
    except KeyboardInterrupt:
        if interactive:
            print(file=sys.stderr)
    finally:
        live.close()
    return 0
