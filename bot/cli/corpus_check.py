"""``quotebot corpus check``: what loads, what does not, and how it is cut into passages."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable

from quotebot.bot.describe import vectors_line
from quotebot.retrieval import FileProblem, LiveEngine, describe_corpus


def register(actions: argparse._SubParsersAction) -> None:
    from quotebot.bot.cli import add_corpus_option, add_lexical_option

    check = actions.add_parser("check", help="list documents and passage counts; exit 1 when a file is bad")
    add_corpus_option(check)
    add_lexical_option(check)
    check.set_defaults(handler=run, serves_servers=False)


def run(args: argparse.Namespace) -> int:
    from quotebot.bot.cli import embedder_from

    # Uses the saved index, as `ask` does, and reports the saved vectors without computing any.
    live = LiveEngine(args.corpus, embedder_from(args), embed_missing=False)
    report = live.load()
    engine = live.engine
    print(f"Corpus: {describe_corpus(args.corpus)}")
    per_document = Counter(passage.document.id for passage in engine.passages)
    for document in engine.documents:
        byline = f" by {document.author}" if document.author else ""
        print(f"{document.id}: “{document.title}”{byline}, {_count(per_document[document.id], 'passage')}")
    documents, passages, bad = len(engine.documents), len(engine.passages), len(report.problems)
    print(f"{_count(documents, 'document')}, {_count(passages, 'passage')}, {_count(bad, 'bad file')}")
    print(vectors_line(live))
    warn_about_problems(report.problems)
    return 1 if report.problems else 0


def warn_about_problems(problems: Iterable[FileProblem]) -> None:
    """Name each skipped file on stderr: the rest of the corpus still serves."""
    for problem in problems:
        print(f"quotebot: skipped {problem.path}: {problem.reason}", file=sys.stderr)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
