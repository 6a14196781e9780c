"""A server's own corpus plus the shared one: one index of both, or each asked apart and the better answer kept.

Run as ``python -m bench.combined_corpora [--splits 5]``. The article's question set and SQuAD v1.1's
16 articles are split at random, per split: the article and 6 SQuAD articles are a server's own
corpus, 6 others the shared corpus, and the last 4 are in neither, their questions being off-topic
(with the article set's own 18 off-topic ones). Every question is asked of:

- ``one index of both``: the two corpora indexed together, what building the shared documents into
  every server's index would answer (at the cost of memory per loaded server, and of rebuilding every
  server when the shared corpus changes);
- ``apart, higher confidence``: each corpus on its own, keeping the answer with the higher calibrated
  confidence (what quotebot does, ``retrieval.library.combine``);
- ``apart, higher BM25 score``: the same, keeping the higher top BM25 score instead (scores of two
  indexes are on different scales);
- ``own corpus only``: ``include_shared:False``.

hit@1: the first passage holds an answer; quote@1: the quote does; declined rates as in ``quotebot eval``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.answer.models import Answer
from quotebot.retrieval.evaluation import EvalQuestion, Tally, _count, load_question_file, load_squad
from quotebot.retrieval.ingest.loader import load_folder
from quotebot.retrieval.ingest.models import Document
from quotebot.retrieval.library.combine import better_supported

REPOSITORY = Path(__file__).resolve().parent.parent
SQUAD = REPOSITORY / "tests" / "data" / "squad" / "squad-v1.1-dev-public.json.gz"
ARTICLE_CORPUS = REPOSITORY / "corpus"
ARTICLE_QUESTIONS = REPOSITORY / "tests" / "data" / "article_questions.jsonl"
OWN_ARTICLES, SHARED_ARTICLES = 6, 6


def by_score(own: Answer, shared: Answer) -> Answer:
    def support(answer: Answer) -> tuple[bool, float]:
        return answer.answered, answer.hits[0].score if answer.hits else 0.0

    return shared if support(shared) > support(own) else own


def questions_and_documents() -> tuple[list[tuple[Document, tuple[EvalQuestion, ...]]], tuple[EvalQuestion, ...]]:
    """(document, its answerable questions) for the article and every SQuAD article; the article set's off-topic ones."""
    article_questions = load_question_file(ARTICLE_QUESTIONS)
    article = load_folder(ARTICLE_CORPUS).documents[0]
    pairs = [(article, tuple(q for q in article_questions if q.answers))]
    for corpus in load_squad(SQUAD):
        pairs.append((corpus.documents[0], tuple(q for q in corpus.questions if q.answers)))
    return pairs, tuple(q for q in article_questions if not q.answers)


def measure(
    engines: Sequence[QuoteEngine], choose: Callable[[list[Answer]], Answer], questions: Sequence[EvalQuestion]
) -> tuple[Tally, float]:
    tally = Tally()
    started = time.perf_counter()
    for item in questions:
        answer = choose([engine.ask(item.question, top_k=3) for engine in engines])
        _count(tally, item, [hit.passage.text for hit in answer.hits], answer.quote, declined=not answer.answered)
    return tally, (time.perf_counter() - started) / len(questions) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.combined_corpora", description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not SQUAD.is_file():
        print(f"{SQUAD} not found: this benchmark needs SQuAD v1.1 (tests/data/squad)", file=sys.stderr)
        return 1
    pairs, off_topic_article = questions_and_documents()
    article, squad = pairs[0], pairs[1:]
    configurations: dict[str, tuple[Callable[[QuoteEngine, QuoteEngine, QuoteEngine], list[QuoteEngine]], Callable]] = {
        "one index of both": (lambda own, shared, both: [both], lambda answers: answers[0]),
        "apart, higher confidence": (lambda own, shared, both: [own, shared], lambda a: better_supported(a[0], a[1])),
        "apart, higher BM25 score": (lambda own, shared, both: [own, shared], lambda a: by_score(a[0], a[1])),
        "own corpus only": (lambda own, shared, both: [own], lambda answers: answers[0]),
    }
    totals = {name: Tally() for name in configurations}
    milliseconds: dict[str, list[float]] = {name: [] for name in configurations}
    rng = random.Random(args.seed)
    for _ in range(args.splits):
        order = rng.sample(squad, len(squad))
        own_pairs = [article, *order[:OWN_ARTICLES]]
        shared_pairs = order[OWN_ARTICLES : OWN_ARTICLES + SHARED_ARTICLES]
        held_out = order[OWN_ARTICLES + SHARED_ARTICLES :]
        own = QuoteEngine.build([document for document, _ in own_pairs])
        shared = QuoteEngine.build([document for document, _ in shared_pairs])
        both = QuoteEngine.build([document for document, _ in own_pairs + shared_pairs])
        questions = [q for _, asked in own_pairs + shared_pairs for q in asked]
        questions += [EvalQuestion(q.question, ()) for _, asked in held_out for q in asked] + list(off_topic_article)
        for name, (engines, choose) in configurations.items():
            tally, per_question = measure(engines(own, shared, both), choose, questions)
            totals[name].add(tally)
            milliseconds[name].append(per_question)
    sample = next(iter(totals.values()))
    print(
        f"{args.splits} random splits: own = the article + {OWN_ARTICLES} SQuAD articles, shared = {SHARED_ARTICLES} "
        f"others, {len(squad) - OWN_ARTICLES - SHARED_ARTICLES} in neither; {sample.answerable:,} answerable and "
        f"{sample.off_topic:,} off-topic questions in all"
    )
    print()
    names = list(sample.figures())
    print("| | " + " | ".join(names) + " | ms per question |")
    print("|---|" + "---:|" * (len(names) + 1))
    for name, tally in totals.items():
        cells = [f"{value:.3f}" for value in tally.figures().values()]
        mean_ms = sum(milliseconds[name]) / len(milliseconds[name])
        print(f"| {name} | " + " | ".join(cells) + f" | {mean_ms:.2f} |")
    print()
    print(json.dumps({name: tally.figures() for name, tally in totals.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
