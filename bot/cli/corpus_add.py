"""``quotebot corpus add URL|FILE``: an operator adds a web page, PDF, text or ``.zip`` of them to a corpus.

It runs the same checks, extraction and fetching rules as ``/corpus add``
(``QUOTEBOT_FETCH_ALLOW_HOSTS`` included), loads the corpus here so a
problem is reported at once, and, when the corpus is the shared one, tells
every running bot to reload it, as ``corpus reload`` does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from quotebot.retrieval import (
    ChangeSignal,
    CorpusError,
    LiveEngine,
    ReloadReport,
    describe_corpus,
    is_shipped,
    save_upload,
)

if TYPE_CHECKING:
    from quotebot.bot.settings import Settings
    from quotebot.retrieval.web.fetch import FetchPolicy


def register(actions: argparse._SubParsersAction) -> None:
    from quotebot.bot.cli import add_corpus_option

    add = actions.add_parser(
        "add",
        help="add a web page (by link), PDF, .md/.txt/.html file or .zip of them to a corpus",
        description="Fetch or read a document, extract its text (web pages, PDFs), save it with the original "
        "beside it, and load the corpus. A .zip adds every usable document in it and names the others.",
    )
    add.add_argument("source", metavar="URL_OR_FILE", help="an http(s) link, or a .md/.txt/.html/.htm/.pdf/.zip file")
    add_corpus_option(add)
    add.add_argument("--title", default=None, help="title to record (overrides the document's)")
    add.add_argument("--author", default=None, help="author to record")
    add.add_argument("--url", default=None, help="link to the original, for a file (a fetched page keeps its own)")
    add.set_defaults(handler=run, reads_settings=True)


def run(args: argparse.Namespace) -> int:
    return on_writable_corpus(args, add)


def add(args: argparse.Namespace, settings: Settings, folder: Path) -> int:
    # Imported here, not at the top: the fetcher brings aiohttp, which `quotebot ask` (whose parser lists
    # this command) should not pay for at every start.
    from quotebot.retrieval.web.fetch import FetchPolicy

    added = add_source(folder, args, FetchPolicy.allowing(settings.fetch_allow_hosts))
    load_and_announce(settings, f"Added {added} to")
    return 0


def on_writable_corpus(args: argparse.Namespace, action: Callable[[argparse.Namespace, Settings, Path], int]) -> int:
    """``action`` with the settings and the corpus folder, when documents may be written to it (never to the
    shipped corpus, nor to a missing folder: ``CorpusError``); a bad setting's exit status otherwise."""
    from quotebot.bot.cli.runner import ConfigurationError, failure_status, load_settings

    try:
        settings = load_settings(args)
    except ConfigurationError as error:
        return failure_status(error)
    folder: Path = settings.corpus
    if is_shipped(folder):
        raise CorpusError("the shipped corpus is never written to; name your own with --corpus DIR or QUOTEBOT_CORPUS")
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    return action(args, settings, folder)


def load_and_announce(settings: Settings, done: str) -> ReloadReport:
    """Load the changed corpus here (a problem is reported at once), then tell running bots to reload it."""
    from quotebot.bot.cli.corpus_check import warn_about_problems
    from quotebot.bot.servers.folders import ServerFolders

    report = LiveEngine(settings.corpus).load()
    warn_about_problems(report.problems)
    print(f"{done} {describe_corpus(settings.corpus)}: {report.documents} documents, {report.passages} passages.")
    ChangeSignal(ServerFolders(settings.server_corpora).shared_signal).announce()
    print("Every running quotebot serving it as the shared corpus reloads it within "
          f"{settings.shared_poll_seconds:g} s (QUOTEBOT_SHARED_POLL_SECONDS).")
    return report


def add_source(folder: Path, args: argparse.Namespace, policy: FetchPolicy) -> str:
    """Add what ``args.source`` names; the added documents' names, for the closing line."""
    from quotebot.retrieval.ingest.archive import describe_refused, import_archive
    from quotebot.retrieval.web.fetch import MAX_FETCH_BYTES, run_fetch
    from quotebot.retrieval.web.links import save_fetched

    source: str = args.source
    if "://" in source:
        fetched = run_fetch(source, policy)
        saved = save_fetched(folder, fetched, title=args.title, author=args.author, max_bytes=MAX_FETCH_BYTES)
        return saved.relative_to(folder.resolve()).as_posix()
    path = Path(source)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CorpusError(f"cannot read {path} ({error.strerror or error})") from None
    if path.suffix.lower() == ".zip":
        imported = import_archive(folder, raw)
        if imported.refused:
            print(f"quotebot: not added from {path.name}: {describe_refused(imported.refused, 50)}", file=sys.stderr)
        return f"{len(imported.added)} document(s) from {path.name}"
    saved = save_upload(folder, path.name, raw, title=args.title, author=args.author, url=args.url,
                        max_bytes=MAX_FETCH_BYTES)
    return saved.relative_to(folder.resolve()).as_posix()
