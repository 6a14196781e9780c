"""``quotebot eval``: answer quality beside plain BM25, on our questions or SQuAD's (v1.1, or 2.0 with unanswerable ones)."""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path

from quotebot.retrieval import CorpusError, load_folder
from quotebot.retrieval.evaluation import (
    EvalCorpus,
    evaluate,
    format_report,
    load_question_file,
    load_reworded_squad,
    load_squad,
)


def register(commands: argparse._SubParsersAction) -> None:
    from quotebot.bot.cli import add_corpus_option, add_lexical_option

    parser = commands.add_parser(
        "eval",
        help="measure answers against questions with known answers",
        description="Print hit@1, hit@3, quote@1, decline and unsure rates for quotebot and plain BM25Okapi.",
    )
    add_corpus_option(parser)
    add_lexical_option(parser)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("questions", nargs="?", type=Path, metavar="QUESTIONS.jsonl",
                        help='lines of {"question": str, "answers": [str]}; [] means off-topic')
    source.add_argument(
        "--squad", type=Path, metavar="FILE.json.gz",
        help="a SQuAD v1.1 file; each article is a corpus, the next article's questions its off-topic ones",
    )
    source.add_argument(
        "--squad2", type=Path, metavar="FILE.json.gz",
        help="a SQuAD 2.0 file; each article is a corpus, with its answerable and unanswerable questions",
    )
    parser.add_argument(
        "--reworded", type=Path, metavar="QUESTIONS.jsonl",
        help="with --squad/--squad2: ask only these SQuAD questions (by id), in this file's wording",
    )
    parser.add_argument(
        "--original-wording", action="store_true",
        help="with --reworded: ask the same questions in SQuAD's own wording",
    )
    parser.add_argument(
        "--vectors", type=Path, metavar="DIR",
        help="keep the semantic model's passage vectors in DIR between runs (embedding is most of the time)",
    )
    parser.set_defaults(handler=run, serves_servers=False)


def run(args: argparse.Namespace) -> int:
    if args.reworded and not (args.squad or args.squad2):
        raise CorpusError("--reworded needs --squad or --squad2: the SQuAD file that holds the articles")
    if args.original_wording and not args.reworded:
        raise CorpusError("--original-wording needs --reworded")
    if args.squad or args.squad2:
        path = args.squad or args.squad2
        if args.reworded:
            corpora = _read(partial(
                load_reworded_squad, reworded=args.reworded, off_topic=bool(args.squad),
                original_wording=args.original_wording,
            ), path)
            wording = "SQuAD's wording" if args.original_wording else args.reworded.name
            title = f"SQuAD ({path.name}), the questions of {args.reworded.name} in {wording}"
        else:
            corpora = _read(partial(load_squad, off_topic=bool(args.squad)), path)
            title = f"SQuAD ({path.name})"
    else:
        from quotebot.bot.cli.corpus_check import warn_about_problems

        report = load_folder(args.corpus)
        warn_about_problems(report.problems)
        documents = report.documents
        corpora = (EvalCorpus(str(args.corpus), documents, _read(load_question_file, args.questions)),)
        title = f"{args.questions.name} on {args.corpus}"
    from quotebot.bot.cli import embedder_from

    embedder = embedder_from(args)
    label = "quotebot" if embedder else "quotebot --lexical"
    store = None
    if embedder is not None and args.vectors is not None:
        from quotebot.retrieval.index.vector_store import VectorStore

        store = VectorStore([args.vectors], embedder.identity, embedder.dimension)
    print(format_report(evaluate(corpora, embedder, store), title, label))
    return 0


def _read(loader, path: Path):
    try:
        return loader(path)
    except FileNotFoundError:
        raise CorpusError(f"file not found: {path}") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CorpusError(f"cannot read {path}: {error}") from None
