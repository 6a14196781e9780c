"""How sure quotebot must be to answer a new help thread unasked: answerable questions auto-answered against
off-topic ones wrongly auto-answered, threshold by threshold.

Run as ``python -m bench.auto_answer [--target 0.01] [--lexical]``; the semantic model is on unless
``--lexical``, as in the default install. Every SQuAD v1.1 article is a corpus of one
document; its own questions are answerable and the next article's are off-topic, as in ``quotebot eval
--squad``; the article's own question set (``tests/data/article_questions.jsonl``, 72 answerable and 18
off-topic) is measured beside it. A question is auto-answered when ``bot.answering.confident_enough``
says so at the threshold: what ``bot.exts.questions.auto_answer`` posts. For each threshold the table gives the
share of answerable questions auto-answered, the share of those whose quote holds the answer, and the
share of off-topic questions wrongly auto-answered; ``/ask`` (the decline model alone) is the first row.
The recommended threshold is the lowest whose off-topic share on SQuAD is at most ``--target`` and whose
auto-answers quote the answer at least ``--min-right`` of the time: a wrong quote posted unasked costs a
member's trust as much as an off-topic one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.text import SQUAD
from quotebot.bot.answering import confident_enough
from quotebot.bot.settings import AUTO_ANSWER_CONFIDENCE
from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.answer.models import Answer
from quotebot.retrieval.evaluation import EvalCorpus, load_question_file, load_squad
from quotebot.retrieval.index.embedding import TextEmbedder
from quotebot.retrieval.index.onnx_embedder import load_embedder
from quotebot.retrieval.ingest.loader import load_folder

REPOSITORY = Path(__file__).resolve().parent.parent
ARTICLE_CORPUS = REPOSITORY / "corpus"
ARTICLE_QUESTIONS = REPOSITORY / "tests" / "data" / "article_questions.jsonl"
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995)


@dataclass(frozen=True)
class Asked:
    """One question's answer, and whether it was answerable and its quote right."""

    answer: Answer
    answerable: bool
    quote_right: bool


def ask_all(corpora: Iterable[EvalCorpus], embedder: TextEmbedder | None) -> list[Asked]:
    asked = []
    for corpus in corpora:
        engine = QuoteEngine.build(corpus.documents, embedder)
        for item in corpus.questions:
            answer = engine.ask(item.question, top_k=3)
            right = answer.quote is not None and any(text in answer.quote for text in item.answers)
            asked.append(Asked(answer, bool(item.answers), right))
    return asked


@dataclass(frozen=True)
class Row:
    """Counts behind one line of the table; the rates are shares of them."""

    label: str
    answerable_posted: int
    answerable: int
    right: int
    off_topic_posted: int
    off_topic: int

    @property
    def answerable_rate(self) -> float:
        return self.answerable_posted / max(self.answerable, 1)

    @property
    def right_rate(self) -> float:
        return self.right / max(self.answerable_posted, 1)

    @property
    def off_topic_rate(self) -> float:
        return self.off_topic_posted / max(self.off_topic, 1)


def row(label: str, asked: Sequence[Asked], posts: Iterable[bool]) -> Row:
    posted = list(posts)
    answerable = [i for i, item in enumerate(asked) if item.answerable]
    off_topic = [i for i, item in enumerate(asked) if not item.answerable]
    auto = [i for i in answerable if posted[i]]
    return Row(
        label,
        len(auto),
        len(answerable),
        sum(asked[i].quote_right for i in auto),
        sum(posted[i] for i in off_topic),
        len(off_topic),
    )


def table(asked: Sequence[Asked], thresholds: Sequence[float]) -> list[Row]:
    rows = [row("/ask (decline model)", asked, (item.answer.answered for item in asked))]
    rows += [row(f">= {t:g}", asked, (confident_enough(item.answer, t) for item in asked)) for t in thresholds]
    return rows


def print_table(title: str, asked: Sequence[Asked], rows: Sequence[Row]) -> None:
    answerable = sum(item.answerable for item in asked)
    print(f"\n{title}: {answerable} answerable, {len(asked) - answerable} off-topic questions")
    print(f"{'posted when':24}{'answerable auto-answered':>27}{'their quote right':>20}{'off-topic auto-answered':>26}")
    for r in rows:
        print(f"{r.label:24}{r.answerable_rate:>27.3f}{r.right_rate:>20.3f}{r.off_topic_rate:>26.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, default=SQUAD)
    parser.add_argument("--articles", type=int, default=None, help="only the first N SQuAD articles (a smoke run)")
    parser.add_argument("--target", type=float, default=0.01, help="largest share of off-topic questions auto-answered")
    parser.add_argument(
        "--min-right", type=float, default=0.95, help="smallest share of auto-answers whose quote holds the answer"
    )
    parser.add_argument("--lexical", action="store_true", help="without the semantic model (as QUOTEBOT_SEMANTIC=off)")
    args = parser.parse_args(argv)
    embedder = None if args.lexical else load_embedder()
    if not args.squad.is_file():
        print(f"SQuAD not found at {args.squad}", file=sys.stderr)
        return 2
    thresholds = sorted({*THRESHOLDS, AUTO_ANSWER_CONFIDENCE})
    squad = ask_all(load_squad(args.squad)[: args.articles], embedder)
    squad_rows = table(squad, thresholds)
    print_table(f"SQuAD v1.1 ({args.squad.name})", squad, squad_rows)
    article = ask_all(
        [EvalCorpus("article", load_folder(ARTICLE_CORPUS).documents, load_question_file(ARTICLE_QUESTIONS))], embedder
    )
    print_table("The article's question set", article, table(article, thresholds))
    passing = [
        t
        for t, r in zip(thresholds, squad_rows[1:])
        if r.off_topic_rate <= args.target and r.answerable_posted and r.right_rate >= args.min_right
    ]
    shipped = squad_rows[1 + thresholds.index(AUTO_ANSWER_CONFIDENCE)]
    print(
        f"\nShipped threshold (QUOTEBOT_AUTO_ANSWER_CONFIDENCE default): {AUTO_ANSWER_CONFIDENCE:g}: on SQuAD "
        f"{shipped.answerable_rate:.1%} of answerable questions auto-answered "
        f"({shipped.answerable_posted} of {shipped.answerable}), "
        f"{shipped.off_topic_rate:.1%} of off-topic ones ({shipped.off_topic_posted} of {shipped.off_topic})"
    )
    criteria = f"at most {args.target:.1%} off-topic auto-answered and at least {args.min_right:.0%} quotes right"
    print(f"Lowest threshold with {criteria} on SQuAD: {passing[0]:g}" if passing else f"No threshold has {criteria}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
