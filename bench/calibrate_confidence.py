"""Fit the decline and confidence models of ``retrieval/answer/confidence.py`` on SQuAD, and show how they generalise.

Every SQuAD article becomes a corpus. SQuAD v1.1's questions are answerable,
and each article's off-topic questions are the next article's; SQuAD 2.0's
unanswerable questions were written to look answerable from their own
article. Each question is answered by the engine's own code, and its
signals (``confidence.Signals``) recorded:

- the *decline* model separates v1.1's answerable questions from off-topic
  ones; its threshold declines ``--declined`` of answerable questions;
- the *confidence* model is the probability that the quote holds an answer
  text (v1.1 and 2.0 together), from the signals and the decline model's
  probability (stacked); its threshold marks ``--unsure`` of 2.0's
  answerable questions unsure.

To show the models are not fitted to the articles they are judged on, every
figure below is for articles held out of the fit (each article is scored by
models fitted without it, v1.1 and 2.0 versions of an article together);
the printed constants are then fitted on everything. It also prints the
reliability table of the held-out confidence and its expected calibration
error (README, "Confidence"), and the quality of the current ranking and
quote weights on the two halves of the v1.1 articles.

    python -m bench.calibrate_confidence [--lexical] [--vectors DIR]

``--vectors DIR`` keeps the passage vectors between runs (embedding the 22
articles takes a few minutes).
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.text import SQUAD
from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.evaluation import load_squad
from quotebot.retrieval.index.embedding import TextEmbedder
from quotebot.retrieval.index.onnx_embedder import load_embedder
from quotebot.retrieval.index.vector_store import VectorStore

SQUAD2 = SQUAD.with_name("squad-v2.0-dev-public.json.gz")
RELIABILITY_BINS = 10


@dataclass(frozen=True)
class Row:
    """One question's signals, and what it was."""

    article: str
    dataset: str
    kind: str  # answerable, off-topic or unanswerable
    decline: tuple[float, ...]
    confidence: tuple[float, ...]
    quote_holds_answer: bool
    top_holds_answer: bool


def collect(path: Path, dataset: str, embedder: TextEmbedder | None, store: VectorStore | None) -> list[Row]:
    rows = []
    for corpus in load_squad(path, off_topic=dataset == "v1.1"):
        engine = QuoteEngine.build(corpus.documents, embedder, store)
        for item in corpus.questions:
            answer, signals = engine.explain(item.question, top_k=1)
            if signals is None:
                continue
            kind = "unanswerable" if item.unanswerable else "answerable" if item.answers else "off-topic"
            top = answer.hits[0].passage.text if answer.hits else ""
            rows.append(Row(
                article=corpus.name,
                dataset=dataset,
                kind=kind,
                decline=signals.decline_features(),
                confidence=signals.confidence_features(),
                quote_holds_answer=any(text in signals.quote for text in item.answers),
                top_holds_answer=any(text in top for text in item.answers),
            ))
    return rows


def fit(x: np.ndarray, y: np.ndarray, steps: int = 4000, rate: float = 0.5, l2: float = 1e-3) -> np.ndarray:
    """Logistic regression by gradient descent on standardised features; returns raw-scale weights + intercept."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-12
    z = np.c_[(x - mean) / scale, np.ones(len(x))]
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        w -= rate * (z.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0])
    return np.r_[w[:-1] / scale, w[-1] - (mean / scale) @ w[:-1]]


def probability(model: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ model[:-1] + model[-1])))


def held_out_stacked(
    xd: np.ndarray, on_topic: np.ndarray, decline_rows: np.ndarray, xc: np.ndarray, correct: np.ndarray,
    articles: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Held-out decline and confidence probabilities, and the stacked features of the final fit.

    For each article, both models are fitted without it; the confidence
    model reads the decline model's probability, in-sample for its training
    rows as in the final fit, out-of-sample for the article it scores.
    """
    p_decline, p_confidence = np.zeros(len(correct)), np.zeros(len(correct))
    for article in np.unique(articles):
        inside = articles == article
        decline = probability(fit(xd[~inside & decline_rows], on_topic[~inside & decline_rows]), xd)
        stacked = np.c_[xc, decline]
        p_decline[inside] = decline[inside]
        p_confidence[inside] = probability(fit(stacked[~inside], correct[~inside]), stacked[inside])
    final_decline = fit(xd[decline_rows], on_topic[decline_rows])
    return p_decline, p_confidence, np.c_[xc, probability(final_decline, xd)]


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


def constants(name: str, model: np.ndarray) -> str:
    return f"    {name}=LogisticModel(({', '.join(f'{c:.4f}' for c in model[:-1])}), {model[-1]:.4f}),"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, default=SQUAD)
    parser.add_argument("--squad2", type=Path, default=SQUAD2)
    parser.add_argument("--lexical", action="store_true", help="calibrate the lexical path (no semantic model)")
    parser.add_argument("--vectors", type=Path, default=None, metavar="DIR", help="keep passage vectors here")
    parser.add_argument("--declined", type=float, default=0.018, help="answerable questions the decline may refuse")
    parser.add_argument("--unsure", type=float, default=0.18, help="SQuAD 2.0 answerable questions marked unsure")
    args = parser.parse_args()
    embedder = None if args.lexical else load_embedder()
    store = (
        VectorStore([args.vectors], embedder.identity, embedder.dimension)
        if embedder is not None and args.vectors
        else None
    )
    rows = collect(args.squad, "v1.1", embedder, store) + collect(args.squad2, "2.0", embedder, store)
    calibrate(rows, "lexical" if args.lexical else "semantic", args.declined, args.unsure)


def calibrate(rows: list[Row], path: str, declined_share: float, unsure_share: float) -> None:
    """Fit both models on ``rows`` and print the held-out figures, the reliability table and the constants."""
    articles = np.array([row.article for row in rows])
    kind = np.array([row.kind for row in rows])
    v1 = np.array([row.dataset == "v1.1" for row in rows])
    answerable = kind == "answerable"
    correct = np.array([row.quote_holds_answer for row in rows], dtype=float)
    xd = np.array([row.decline for row in rows])
    xc = np.array([row.confidence for row in rows])

    p_decline, p_confidence, stacked = held_out_stacked(xd, answerable.astype(float), v1, xc, correct, articles)
    decline_below = float(np.quantile(p_decline[v1 & answerable], declined_share))
    declined = p_decline < decline_below
    v2_answerable = ~v1 & answerable
    unsure_below = float(np.quantile(p_confidence[v2_answerable & ~declined], unsure_share))
    unsure = ~declined & (p_confidence < unsure_below)

    print(f"{path} path: {len(rows)} questions from {len(np.unique(articles))} articles "
          f"({int(answerable.sum())} answerable, {int((kind == 'off-topic').sum())} off-topic, "
          f"{int((kind == 'unanswerable').sum())} unanswerable)")
    print("held out by article:")
    print(f"  SQuAD v1.1: off-topic declined {declined[v1 & (kind == 'off-topic')].mean():.3f}, "
          f"answerable declined {declined[v1 & answerable].mean():.3f}, unsure {unsure[v1 & answerable].mean():.3f}")
    print(f"  SQuAD 2.0: unanswerable not confidently answered {(declined | unsure)[kind == 'unanswerable'].mean():.3f} "
          f"(declined {declined[kind == 'unanswerable'].mean():.3f}), answerable declined "
          f"{declined[v2_answerable].mean():.3f}, unsure {unsure[v2_answerable].mean():.3f}")
    for share in (0.01, 0.02, 0.03):
        t = np.quantile(p_decline[v1 & answerable], share)
        print(f"  v1.1 answerable declined {share:.2f} -> off-topic declined {(p_decline[v1 & (kind == 'off-topic')] < t).mean():.3f}")
    table, ece = reliability(p_confidence, correct)
    print("reliability of the confidence (held out; 'answers' = the quote holds an answer text):")
    print("  | confidence | questions | mean confidence | share the quote answers |")
    print("  |---|---:|---:|---:|")
    for low, high, count, mean, share in table:
        print(f"  | {low:.1f}–{high:.1f} | {count:,} | {mean:.3f} | {share:.3f} |")
    print(f"  expected calibration error: {ece:.3f}")
    for name, subset in (("v1.1 articles A (even)", 0), ("v1.1 articles B (odd)", 1)):
        titles = sorted(set(articles[v1]))[subset::2]
        chosen = np.isin(articles, titles) & v1 & answerable
        top = np.array([row.top_holds_answer for row in rows])
        print(f"ranking and quote weights on {name}: hit@1 {top[chosen].mean():.3f}, quote@1 {correct[chosen].mean():.3f}")
    print(f"{path.upper()} = Calibration(")
    print(constants("decline", fit(xd[v1], answerable[v1].astype(float))))
    print(f"    decline_below={decline_below:.4f},")
    print(constants("confidence", fit(stacked, correct)))
    print(f"    unsure_below={unsure_below:.4f},")
    print(")")


if __name__ == "__main__":
    main()
