"""``quotebot corpus refresh``: fetch the shared corpus's documents added by link again, as ``/corpus refresh`` does.

Each is asked for with its ``ETag``/``Last-Modified`` (an unchanged page
costs a 304), a page whose text changed is extracted and saved again, and a
link that fails is named with its reason while the others are refreshed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from quotebot.retrieval import load_folder

if TYPE_CHECKING:
    from quotebot.bot.settings import Settings


def register(actions: argparse._SubParsersAction) -> None:
    from quotebot.bot.cli import add_corpus_option

    refresh = actions.add_parser(
        "refresh",
        help="fetch the documents added by link again, and save those that changed",
        description="Fetch every document added by link again (conditionally), save the changed ones, load the "
        "corpus, and tell running bots to reload it.",
    )
    add_corpus_option(refresh)
    refresh.set_defaults(handler=run, reads_settings=True)


def run(args: argparse.Namespace) -> int:
    from quotebot.bot.cli.corpus_add import on_writable_corpus

    return on_writable_corpus(args, refresh)


def refresh(args: argparse.Namespace, settings: Settings, folder: Path) -> int:
    from quotebot.bot.cli.corpus_add import load_and_announce
    from quotebot.retrieval.web.fetch import MAX_FETCH_BYTES, FetchPolicy  # aiohttp: see corpus_add.add
    from quotebot.retrieval.web.links import link_documents, refresh_links, write_refreshed

    links = link_documents(load_folder(folder).documents)
    if not links:
        print(f"quotebot: no documents in {folder} were added by link; nothing to refresh", file=sys.stderr)
        return 0
    policy = FetchPolicy.allowing(settings.fetch_allow_hosts)
    results = asyncio.run(refresh_links(links, policy, max_bytes=MAX_FETCH_BYTES))
    written = write_refreshed(folder, results)
    for result in results:
        if result.failure is not None:
            print(f"quotebot: not refreshed: {result.link.id}: {result.failure}", file=sys.stderr)
    unchanged = sum(1 for result in results if result.failure is None) - len(written)
    load_and_announce(settings, f"Refreshed {len(links)} linked documents ({len(written)} changed, {unchanged} unchanged) in")
    return 1 if len(written) + unchanged < len(results) else 0
