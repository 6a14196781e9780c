"""``quotebot corpus reload``: after editing the shared corpus's files, make every running bot serve them.

It loads the shared corpus here first, so a broken corpus is reported and
never announced, and the index cache it saves lets every process reload in
a moment instead of re-indexing. Then it announces the change through the
signal file every ``quotebot run`` process watches (``SharedCorpus``).
"""

from __future__ import annotations

import argparse

from quotebot.retrieval import ChangeSignal, LiveEngine, describe_corpus


def register(actions: argparse._SubParsersAction) -> None:
    from quotebot.bot.cli import add_corpus_option

    reload = actions.add_parser(
        "reload",
        help="load the shared corpus and make every running bot reload it (after editing its files)",
        description="Load the shared corpus (saving its index), then tell every running `quotebot run` to reload it.",
    )
    add_corpus_option(reload)
    reload.set_defaults(handler=run, reads_settings=True)


def run(args: argparse.Namespace) -> int:
    from quotebot.bot.cli.corpus_check import warn_about_problems
    from quotebot.bot.cli.runner import ConfigurationError, failure_status, load_settings
    from quotebot.bot.servers.folders import ServerFolders

    try:
        settings = load_settings(args)
    except ConfigurationError as error:
        return failure_status(error)
    report = LiveEngine(settings.corpus).load()  # a CorpusError stops here: nothing is announced
    warn_about_problems(report.problems)
    signal = ChangeSignal(ServerFolders(settings.server_corpora).shared_signal)
    signal.announce()
    print(f"Shared corpus {describe_corpus(settings.corpus)}: {report.documents} documents, {report.passages} passages.")
    print(
        f"Announced in {signal.path}: every running quotebot reloads it within "
        f"{settings.shared_poll_seconds:g} s (QUOTEBOT_SHARED_POLL_SECONDS)."
    )
    return 0
