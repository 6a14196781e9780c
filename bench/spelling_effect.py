"""What the chat-shorthand list and the misspelling matcher each add, measured on the question sets.

    python -m bench.spelling_effect [--lexical] [--squad]

Asks the article's question set and the informal set (and with ``--squad``
SQuAD v1.1) with both repairs on, then with each switched off, and prints
hit@1, quote@1 and the decline rates of each; the rows differ only in the
repair switched off.
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from bench.text import SQUAD
from quotebot.retrieval.evaluation import EvalCorpus, evaluate, load_question_file, load_squad
from quotebot.retrieval.index.onnx_embedder import load_embedder
from quotebot.retrieval.ingest.loader import load_folder

REPOSITORY = Path(__file__).resolve().parent.parent
SETS = ("article_questions.jsonl", "informal_questions.jsonl")


@contextmanager
def switched_off(repair: str):
    """Both repairs on (``none``), or one of them off for the duration."""
    if repair == "shorthand":
        with mock.patch("quotebot.retrieval.answer.questions.expand_shorthand", lambda text: text):
            yield
    elif repair == "misspellings":
        with mock.patch("quotebot.retrieval.answer.engine.correct_terms", lambda *args: {}):
            yield
    else:
        yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lexical", action="store_true", help="measure the lexical path")
    parser.add_argument("--squad", action="store_true", help="also SQuAD v1.1 (a few minutes)")
    args = parser.parse_args()
    embedder = None if args.lexical else load_embedder()
    documents = load_folder(REPOSITORY / "corpus").documents
    sets = [(name, (EvalCorpus(name, documents, load_question_file(REPOSITORY / "tests" / "data" / name)),))
            for name in SETS]
    if args.squad:
        sets.append((SQUAD.name, load_squad(SQUAD)))
    print("| set | switched off | hit@1 | quote@1 | off-topic declined | answerable declined |")
    print("|---|---|---:|---:|---:|---:|")
    for name, corpora in sets:
        for repair in ("none", "shorthand", "misspellings"):
            with switched_off(repair):
                figures = evaluate(corpora, embedder).quotebot.figures()
            cells = [figures[key] for key in ("hit@1", "quote@1", "off-topic declined", "answerable declined")]
            print(f"| {name} | {repair} | " + " | ".join("-" if c is None else f"{c:.3f}" for c in cells) + " |")


if __name__ == "__main__":
    main()
