"""Fit the decline and confidence models of ``retrieval/answer/confidence.py`` and write their weights, by name.

The models are fitted on SQuAD and on questions worded the way community
members type (``tests/data/README.md``), because SQuAD's questions repeat
their passage's words and members' do not: a model fitted on SQuAD alone
reads "few shared words" as "probably not answered". Every SQuAD article,
the shipped article and each member document is a corpus ("article" below);
each question is answered by the engine's own code and its signals
(``confidence.Signals``) recorded:

- the *decline* model separates a corpus's own answerable questions from
  off-topic ones (another article's); its threshold declines ``--declined``
  of SQuAD v1.1's answerable questions;
- the *confidence* model is the probability that the quote holds an answer
  text (every question that got a quote), from the signals and the decline
  model's probability (stacked); its threshold is chosen by the product rule
  (``unsure_threshold``).

Every figure printed is for articles held out of the fit: each article is
scored by models fitted without it (SQuAD's own and the reworded questions
of an article are held out together). The reliability table of the held-out
confidence and its expected calibration error are printed per set; the
weights are then fitted on everything and written to
``retrieval/answer/confidence_weights.json`` (``--no-write`` only prints).

    python -m bench.calibrate_confidence [--lexical] [--vectors DIR] [--squad FILE --squad2 FILE]

``--vectors DIR`` keeps the passage vectors between runs (embedding the 22
SQuAD articles takes a few minutes).
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.text import SQUAD
from quotebot.retrieval.answer.confidence import FEATURES, WEIGHTS_FILE, Calibration, LogisticModel
from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.evaluation import EvalCorpus, load_question_file, load_reworded_squad, load_squad
from quotebot.retrieval.index.embedding import TextEmbedder
from quotebot.retrieval.index.onnx_embedder import load_embedder
from quotebot.retrieval.index.vector_store import VectorStore
from quotebot.retrieval.ingest.loader import load_folder

REPOSITORY = Path(__file__).resolve().parent.parent
DATA = REPOSITORY / "tests" / "data"
SQUAD2 = SQUAD.with_name("squad-v2.0-dev-public.json.gz")
MEMBER_SQUAD = DATA / "squad_member_questions.jsonl"
# The shipped article's question sets, by the name their rows carry.
ARTICLE_SETS = {
    "article_questions.jsonl": "article",
    "informal_questions.jsonl": "article informal",
    "article_member_questions.jsonl": "article members",
}
MEMBER_DOCUMENTS = ("tidewater", "syncbox", "hollow_oak")
RELIABILITY_BINS = 10
# The product rule for the unsure threshold (docs/quality.md): on the member-worded sets, held out, at most
# this share of right answers is marked unsure ...
MAX_RIGHT_UNSURE = 0.15
# ... and confident answers should be right at least this often (reported: the rule holds the first).
MIN_CONFIDENT_RIGHT = 0.92


@dataclass(frozen=True)
class Row:
    """One question's signals, and what it was."""

    article: str
    dataset: str
    kind: str  # answerable, off-topic or unanswerable
    decline: dict[str, float]
    confidence: dict[str, float]
    quote_holds_answer: bool
    top_holds_answer: bool

    @property
    def members(self) -> bool:
        """Worded the way members type (the sets the product rule is stated for)."""
        return "members" in self.dataset


def sources(squad: Path, squad2: Path) -> list[tuple[str, Sequence[EvalCorpus]]]:
    """Every set the models are fitted on, by name: SQuAD, SQuAD reworded, then the repository's own sets."""
    return [
        ("v1.1", load_squad(squad)),
        ("2.0", load_squad(squad2, off_topic=False)),
        ("v1.1 members", load_reworded_squad(squad, MEMBER_SQUAD)),
        ("2.0 members", load_reworded_squad(squad2, MEMBER_SQUAD, off_topic=False)),
        *repository_sources(),
    ]


def repository_sources() -> list[tuple[str, Sequence[EvalCorpus]]]:
    """The shipped article's question sets and the member documents' (``tests/data``), by name."""
    article = load_folder(REPOSITORY / "corpus").documents
    found: list[tuple[str, Sequence[EvalCorpus]]] = [
        (dataset, [EvalCorpus("the shipped article", article, load_question_file(DATA / name))])
        for name, dataset in ARTICLE_SETS.items()
    ]
    for name in MEMBER_DOCUMENTS:
        documents = load_folder(DATA / "member_docs" / name).documents
        questions = load_question_file(DATA / "member_docs" / f"{name}_questions.jsonl")
        found.append((f"{name} members", [EvalCorpus(name, documents, questions)]))
    return found


def collect(corpora: Iterable[EvalCorpus], dataset: str, embedder: TextEmbedder | None, store: VectorStore | None) -> list[Row]:
    rows = []
    for corpus in corpora:
        engine = QuoteEngine.build(corpus.documents, embedder, store)
        for item in corpus.questions:
            answer, signals = engine.explain(item.question, top_k=1)
            if signals is None:
                continue
            kind = "unanswerable" if item.unanswerable else "answerable" if item.answers else "off-topic"
            top = answer.hits[0].passage.text if answer.hits else ""
            confidence = signals.confidence_features(0.0)
            del confidence["on_topic"]  # the decline model's probability, stacked in by the fit
            rows.append(Row(
                article=corpus.name,
                dataset=dataset,
                kind=kind,
                decline=signals.decline_features(),
                confidence=confidence,
                quote_holds_answer=any(text in signals.quote for text in item.answers),
                top_holds_answer=any(text in top for text in item.answers),
            ))
    return rows


def fit(
    x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None, steps: int = 4000, rate: float = 0.5,
    l2: float = 1e-3,
) -> np.ndarray:
    """Weighted logistic regression by gradient descent on standardised features; raw-scale weights + intercept."""
    weights = np.ones(len(y)) if weights is None else weights
    weights = weights / weights.sum()
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-12
    z = np.c_[(x - mean) / scale, np.ones(len(x))]
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        w -= rate * (z.T @ (weights * (p - y)) + l2 * np.r_[w[:-1], 0])
    return np.r_[w[:-1] / scale, w[-1] - (mean / scale) @ w[:-1]]


def probability(model: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ model[:-1] + model[-1])))


def held_out_stacked(
    xd: np.ndarray, on_topic: np.ndarray, decline_rows: np.ndarray, xc: np.ndarray, correct: np.ndarray,
    confidence_rows: np.ndarray, articles: np.ndarray, weights: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Held-out decline and confidence probabilities: for each article, both models fitted without it.

    The confidence model reads the decline model's probability, in-sample
    for its training rows as in the final fit, out-of-sample for the article
    it scores.
    """
    p_decline, p_confidence = np.zeros(len(correct)), np.zeros(len(correct))
    for article in np.unique(articles):
        inside = articles == article
        train = ~inside & decline_rows
        decline = probability(fit(xd[train], on_topic[train], weights[train]), xd)
        stacked = np.c_[xc, decline]
        train = ~inside & confidence_rows
        p_decline[inside] = decline[inside]
        p_confidence[inside] = probability(fit(stacked[train], correct[train], weights[train]), stacked[inside])
    return p_decline, p_confidence


def reliability(confidence: np.ndarray, correct: np.ndarray) -> tuple[list[tuple[float, float, int, float, float]], float]:
    """Rows of (bin low, bin high, questions, mean confidence, share answered correctly) and the ECE."""
    rows, ece = [], 0.0
    edges = np.linspace(0, 1, RELIABILITY_BINS + 1)
    for low, high in itertools.pairwise(edges):
        inside = (confidence >= low) & ((confidence < high) | (high == 1.0))
        if not inside.any():
            continue
        mean, share = float(confidence[inside].mean()), float(correct[inside].mean())
        rows.append((low, high, int(inside.sum()), mean, share))
        ece += inside.sum() / len(confidence) * abs(mean - share)
    return rows, ece


def unsure_threshold(confidence: np.ndarray, right: np.ndarray) -> float:
    """The product rule: the highest threshold that marks at most ``MAX_RIGHT_UNSURE`` of right answers unsure.

    ``confidence`` and ``right`` are the held-out answers to member-worded questions that were not declined.
    Hedging on a right answer is what makes members stop trusting every answer, so this share is held; the
    share of confident answers that are right (``MIN_CONFIDENT_RIGHT`` wanted) is reported beside it.
    """
    return float(np.quantile(confidence[right], MAX_RIGHT_UNSURE))


def add_set_options(parser: argparse.ArgumentParser) -> None:
    """The options every bench over ``sources`` takes: the SQuAD files, the path, where to keep vectors."""
    parser.add_argument("--squad", type=Path, default=SQUAD)
    parser.add_argument("--squad2", type=Path, default=SQUAD2)
    parser.add_argument("--lexical", action="store_true", help="the lexical path (no semantic model)")
    parser.add_argument("--vectors", type=Path, default=None, metavar="DIR", help="keep passage vectors here")


def embedder_and_store(args: argparse.Namespace) -> tuple[TextEmbedder | None, VectorStore | None]:
    """The semantic model unless ``--lexical``, and the vector store of ``--vectors`` when given."""
    embedder = None if args.lexical else load_embedder()
    store = (
        VectorStore([args.vectors], embedder.identity, embedder.dimension)
        if embedder is not None and args.vectors
        else None
    )
    return embedder, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_set_options(parser)
    parser.add_argument("--declined", type=float, default=0.018, help="answerable v1.1 questions the decline may refuse")
    parser.add_argument("--member-weight", type=float, default=3.0,
                        help="weight of a member-worded question against a SQuAD one in the fits")
    parser.add_argument("--no-write", action="store_true", help=f"print only; leave {WEIGHTS_FILE.name} as it is")
    args = parser.parse_args()
    embedder, store = embedder_and_store(args)
    rows = [row for dataset, corpora in sources(args.squad, args.squad2) for row in collect(corpora, dataset, embedder, store)]
    path = "lexical" if args.lexical else "semantic"
    calibration = calibrate(rows, path, args.declined, args.member_weight)
    if not args.no_write:
        record = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
        record[path] = calibration.as_record()
        WEIGHTS_FILE.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"wrote the {path} models to {WEIGHTS_FILE}")


def calibrate(rows: list[Row], path: str, declined_share: float, member_weight: float) -> Calibration:
    """Fit both models on ``rows``, print the held-out figures and reliability tables, return the final models."""
    decline_names = FEATURES[path]["decline"]
    confidence_names = tuple(name for name in FEATURES[path]["confidence"] if name != "on_topic")
    articles = np.array([row.article for row in rows])
    datasets = np.array([row.dataset for row in rows])
    kind = np.array([row.kind for row in rows])
    members = np.array([row.members for row in rows])
    answerable = kind == "answerable"
    correct = np.array([row.quote_holds_answer for row in rows], dtype=float)
    xd = np.array([[row.decline[name] for name in decline_names] for row in rows])
    xc = np.array([[row.confidence[name] for name in confidence_names] for row in rows])
    weights = np.where(members, member_weight, 1.0)
    decline_rows = kind != "unanswerable"
    everything = np.ones(len(rows), dtype=bool)

    p_decline, p_confidence = held_out_stacked(
        xd, answerable.astype(float), decline_rows, xc, correct, everything, articles, weights
    )
    v1 = datasets == "v1.1"
    # SQuAD v1.1's answerable questions set the decline threshold (all answerable ones when it is left out).
    reference = v1 & answerable if (v1 & answerable).any() else answerable
    decline_below = float(np.quantile(p_decline[reference], declined_share))
    declined = p_decline < decline_below
    right = correct.astype(bool)
    unsure_below = unsure_threshold(p_confidence[members & ~declined], right[members & ~declined])
    unsure = ~declined & (p_confidence < unsure_below)

    print(f"{path} path: {len(rows)} questions from {len(np.unique(articles))} articles "
          f"({int(answerable.sum())} answerable, {int((kind == 'off-topic').sum())} off-topic, "
          f"{int((kind == 'unanswerable').sum())} unanswerable); member-worded weight {member_weight}")
    print(f"thresholds: decline below {decline_below:.4f} (answerable declined {declined_share}), "
          f"unsure below {unsure_below:.4f} (product rule: right answers unsure <= {MAX_RIGHT_UNSURE}, "
          f"confident right >= {MIN_CONFIDENT_RIGHT}, on the member-worded sets)")
    print("held out by article:")
    print("  | set | answerable | quote@1 | declined | right answers unsure | confident right | off-topic declined "
          "| unanswerable not confident | calibration error |")
    print("  |---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in [*dict.fromkeys(datasets), "all member-worded"]:
        chosen = members if name == "all member-worded" else datasets == name
        print("  " + _set_row(name, chosen, kind, declined, unsure, right, p_confidence))
    given = members & ~declined
    print("  the unsure threshold's trade-off on the member-worded sets (held out):")
    for share in (0.05, 0.10, 0.15, 0.20, 0.30, 0.40):
        t = float(np.quantile(p_confidence[given & right], share))
        print(f"    unsure below {t:.3f}: right answers unsure {share:.2f}, "
              f"confident answers right {right[given & (p_confidence >= t)].mean():.3f}")
    squad2 = (datasets == "2.0") & ~declined
    if (squad2 & answerable).any():
        print("  SQuAD 2.0's curve (held out): answerable unsure -> unanswerable not confidently answered")
        for share in (0.10, 0.15, 0.20):
            t = float(np.quantile(p_confidence[squad2 & answerable], share))
            not_confident = declined | (p_confidence < t)
            print(f"    {share:.2f} (unsure below {t:.3f}) -> {not_confident[(datasets == '2.0') & (kind == 'unanswerable')].mean():.3f}")
    for share in (0.01, 0.02, 0.03):
        if not (v1 & answerable).any():
            break
        t = np.quantile(p_decline[v1 & answerable], share)
        print(f"  v1.1 answerable declined {share:.2f} -> off-topic declined {(p_decline[v1 & (kind == 'off-topic')] < t).mean():.3f}")
    for name in [*dict.fromkeys(datasets), "all member-worded"]:
        chosen = (members if name == "all member-worded" else datasets == name) & ~declined
        table, ece = reliability(p_confidence[chosen], correct[chosen])
        print(f"reliability, {name} (held out, answers given; 'right' = the quote holds an answer text):")
        print("  | confidence | answers | mean confidence | right |")
        print("  |---|---:|---:|---:|")
        for low, high, count, mean, share in table:
            print(f"  | {low:.1f}–{high:.1f} | {count:,} | {mean:.3f} | {share:.3f} |")
        print(f"  expected calibration error: {ece:.3f}")
    final_decline = fit(xd[decline_rows], answerable[decline_rows].astype(float), weights[decline_rows])
    stacked = np.c_[xc, probability(final_decline, xd)]
    final_confidence = fit(stacked, correct, weights)
    return Calibration(
        decline=_model(decline_names, final_decline),
        decline_below=decline_below,
        confidence=_model((*confidence_names, "on_topic"), final_confidence),
        unsure_below=unsure_below,
    )


def _set_row(
    name: str, chosen: np.ndarray, kind: np.ndarray, declined: np.ndarray, unsure: np.ndarray, right: np.ndarray,
    confidence: np.ndarray,
) -> str:
    def rate(mask: np.ndarray, of: np.ndarray) -> str:
        return f"{mask[of].mean():.3f}" if of.any() else "-"

    answerable = chosen & (kind == "answerable")
    given = chosen & ~declined
    confident = given & ~unsure
    _, ece = reliability(confidence[given], right[given]) if given.any() else ([], float("nan"))
    return (
        f"| {name} | {int(answerable.sum())} | {rate(right & ~declined, answerable)} | {rate(declined, answerable)} "
        f"| {rate(unsure, answerable & right & ~declined)} | {rate(right, confident)} "
        f"| {rate(declined, chosen & (kind == 'off-topic'))} | {rate(declined | unsure, chosen & (kind == 'unanswerable'))} "
        f"| {ece:.3f} |"
    )


def _model(names: Sequence[str], fitted: np.ndarray) -> LogisticModel:
    return LogisticModel({name: float(weight) for name, weight in zip(names, fitted[:-1], strict=True)}, float(fitted[-1]))


if __name__ == "__main__":
    main()
