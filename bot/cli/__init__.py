"""The ``quotebot`` command line: one parser, one small module per subcommand.

Other tools parse ``quotebot ask --json``; its flags and output are a
contract, so they are defined here in one place.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from quotebot.retrieval import (
    CorpusError,
    SemanticUnavailable,
    TextEmbedder,
    describe_corpus,
    load_embedder,
)

#: Servers whose permissions ``quotebot doctor`` reads by default (three requests each).
DOCTOR_SERVERS = 100


def build_parser() -> argparse.ArgumentParser:
    from quotebot.bot.cli import (
        ask,
        corpus_add,
        corpus_check,
        corpus_embed,
        corpus_purge,
        corpus_refresh,
        corpus_reload,
        evaluate,
    )

    parser = argparse.ArgumentParser(
        prog="quotebot",
        description="Answer questions by quoting the passage of a corpus that best answers them.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ask.register(commands)
    corpus = commands.add_parser(
        "corpus", help="add documents, inspect the shared corpus, announce its changes, tidy server files"
    )
    actions = corpus.add_subparsers(dest="corpus_command", required=True, metavar="{add,refresh,check,embed,reload,purge}")
    for module in (corpus_add, corpus_refresh, corpus_check, corpus_embed, corpus_reload, corpus_purge):
        module.register(actions)
    evaluate.register(commands)
    _register_front_ends(commands)
    return parser


def add_corpus_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        metavar="DIR",
        help="corpus folder (default: $QUOTEBOT_CORPUS, else ./corpus, else the shipped corpus)",
    )


def add_lexical_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lexical",
        action="store_true",
        help="answer by words alone, without the semantic model (also: QUOTEBOT_SEMANTIC=off)",
    )


def embedder_from(args: argparse.Namespace) -> TextEmbedder | None:
    """The semantic model unless ``--lexical`` or ``QUOTEBOT_SEMANTIC=off``; ``QUOTEBOT_SEMANTIC_MODEL`` picks another."""
    settings = args.settings
    if getattr(args, "lexical", False) or not settings.semantic:
        return None
    return semantic_model(settings.semantic_model)


def semantic_model(folder: Path | None) -> TextEmbedder | None:
    """The semantic model (the bundled one, or the one in ``folder``); when it cannot load, one warning line and ``None``."""
    try:
        return load_embedder(folder)
    except SemanticUnavailable as error:
        print(f"quotebot: warning: {error}; answering by words alone (BM25)", file=sys.stderr)
        return None


def _register_front_ends(commands: argparse._SubParsersAction) -> None:
    """The Discord-facing subcommands, imported lazily so ``ask`` starts fast."""
    run = commands.add_parser("run", help="start the Discord bot (needs DISCORD_TOKEN)")
    add_corpus_option(run)
    run.add_argument(
        "--shard-count", type=_positive, default=None, metavar="N", help="shards in all (default: as Discord recommends)"
    )
    run.add_argument(
        "--shard-ids", default=None, metavar="IDS", help="the shards this process serves, e.g. 0,1 (default: all)"
    )
    run.set_defaults(handler=lambda args: _front_end("quotebot.bot.cli.runner", args), reads_settings=True)
    chat = commands.add_parser("chat", help="ask questions in a local console, rendered as the bot posts them")
    add_corpus_option(chat)
    chat.set_defaults(
        handler=lambda args: _front_end("quotebot.bot.cli.console", args), reads_settings=True, serves_servers=False
    )
    sync = commands.add_parser("sync", help="register the slash commands with Discord (needs DISCORD_TOKEN)")
    sync.add_argument("--guild", type=int, default=None, metavar="ID", help="sync to one server only (instant)")
    sync.add_argument(
        "--clear", action="store_true", help="remove the commands instead (globally, or from --guild's server)"
    )
    sync.set_defaults(handler=lambda args: _front_end("quotebot.bot.cli.sync", args), reads_settings=True)
    doctor = commands.add_parser(
        "doctor",
        help="check the token, intents, commands, permissions, folders, model files and disk space",
        description="Check what quotebot needs, with Discord and on this machine, one line a check, and print the "
        "invite URL. Exit status 1 when anything is wrong.",
    )
    doctor.add_argument(
        "--servers", type=_positive, default=DOCTOR_SERVERS, metavar="N",
        help=f"read the bot's permissions in at most N servers (default {DOCTOR_SERVERS})",
    )
    doctor.set_defaults(handler=lambda args: _front_end("quotebot.bot.cli.doctor", args), reads_settings=True)


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("must be a whole number of at least 1")
    return int(value)


def _front_end(module_name: str, args: argparse.Namespace) -> int:
    import importlib

    module = importlib.import_module(module_name)
    return int(module.main(args))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; a corpus, input or settings problem is one line on stderr, never a traceback."""
    args = build_parser().parse_args(argv)
    if not getattr(args, "reads_settings", False):
        # The bot's front ends read the same settings themselves (their tests call them directly).
        from quotebot.bot.settings import ConfigurationError, load_settings

        try:
            args.settings = load_settings(args)
        except ConfigurationError as error:
            print(error, file=sys.stderr)
            return 2
        if getattr(args, "corpus", "absent") is None:
            args.corpus = args.settings.corpus
            args.corpus_is_default = "corpus" not in args.settings.model_fields_set
    try:
        return int(args.handler(args))
    except CorpusError as error:
        print(f"quotebot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def say_default_corpus(args: argparse.Namespace) -> None:
    """Name the corpus on stderr when nobody chose it, so an answer from the shipped article is no surprise."""
    if getattr(args, "corpus_is_default", False):
        print(f"quotebot: answering from {describe_corpus(args.corpus)}; --corpus DIR names another", file=sys.stderr)
