"""What each change for members' wording adds, measured on every question set (docs/quality.md).

    python -m bench.wording_effect [--lexical] [--vectors DIR] [--squad FILE --squad2 FILE]

Asks every set the confidence is fitted on (``bench.calibrate_confidence``:
SQuAD, SQuAD reworded the way members type, the article's sets, the member
documents) with every change on, then with each one switched off, and prints
hit@1 / quote@1 per set; the rows differ only in the change switched off.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from bench.calibrate_confidence import add_set_options, embedder_and_store, sources
from quotebot.retrieval.answer import quoting, spelling, synonyms
from quotebot.retrieval.evaluation import evaluate

CHANGES = ("none", "why", "percent", "capitals", "made it to", "resettle", "year figure", "faq reply")
_NEVER = re.compile(r"(?!)")


@contextmanager
def switched_off(change: str) -> Iterator[None]:
    """Every change on (``none``), or one of them off for the duration."""
    if change == "why":
        with mock.patch("quotebot.retrieval.answer.answer_type._REASON_QUESTION", _NEVER):
            yield
    elif change in ("percent", "made it to"):
        written = "percent" if change == "percent" else "reached"
        kept = tuple(phrase for phrase in spelling._PHRASES if phrase[1] != written)
        with mock.patch.object(spelling, "_PHRASES", kept):
            yield
    elif change == "capitals":
        with mock.patch.dict(spelling.SHORTHAND, {"nk": "north korea", "sk": "south korea"}):
            yield
    elif change == "resettle":
        groups = synonyms._GROUPS.replace("arrive, arrival, reach, resettle", "arrive, arrival, reach")
        synonyms.synonym_table.cache_clear()
        try:
            with mock.patch.object(synonyms, "_GROUPS", groups):
                yield
        finally:
            synonyms.synonym_table.cache_clear()
    elif change == "year figure":
        with mock.patch.object(quoting, "QUESTION_NUMBER_WEIGHT", 0.0):
            yield
    elif change == "faq reply":
        with mock.patch.object(quoting, "MIN_REPLY_CHARS", 0):
            yield
    else:
        yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_set_options(parser)
    args = parser.parse_args()
    embedder, store = embedder_and_store(args)
    sets = sources(args.squad, args.squad2)
    print("| switched off | " + " | ".join(name for name, _ in sets) + " |")
    print("|---|" + "---:|" * len(sets))
    for change in CHANGES:
        cells = []
        for _, corpora in sets:
            with switched_off(change):
                figures = evaluate(corpora, embedder, store).quotebot.figures()
            cells.append(f"{figures['hit@1']:.3f} / {figures['quote@1']:.3f}")
        print(f"| {change} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
