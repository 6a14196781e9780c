"""Fit the decline model of ``retrieval/decline.py`` on SQuAD and show how it generalises.

Every SQuAD article becomes a corpus; its own questions are answerable and
the next article's are off-topic. For each question the best passage's
evidence is measured with the engine's own code; a logistic regression
separates the two kinds. To show it is not fitted to the articles it is
judged on, each article is also scored by a model fitted without it.

    python -m bench.calibrate_decline [--squad FILE] [--target-declined 0.03]

prints the coefficients to paste into ``retrieval/decline.py``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from bench.text import SQUAD
from quotebot.retrieval.answer.decline import gather_evidence
from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.answer.questions import analyze
from quotebot.retrieval.evaluation import load_squad
from quotebot.retrieval.index.fields import passage_terms


def collect(squad: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels (1 = answerable) and article index of every question with a candidate passage."""
    features, labels, groups = [], [], []
    for number, corpus in enumerate(load_squad(squad)):
        engine = QuoteEngine.build(corpus.documents)
        bm25 = engine.corpus.bm25
        for item in corpus.questions:
            question = analyze(item.question)
            hits = engine.rank(question, 1)
            if not question.topic_terms or not hits:
                continue
            evidence = gather_evidence(question, set(passage_terms(hits[0].passage)), hits[0].score, bm25.idf, bm25.k1)
            features.append(evidence.features())
            labels.append(1.0 if item.answers else 0.0)
            groups.append(number)
    return np.array(features), np.array(labels), np.array(groups)


def fit(x: np.ndarray, y: np.ndarray, steps: int = 4000, rate: float = 0.5, l2: float = 1e-3) -> np.ndarray:
    """Logistic regression by gradient descent on standardised features; returns raw-scale weights + intercept."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-12
    z = np.c_[(x - mean) / scale, np.ones(len(x))]
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        w -= rate * (z.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0])
    coefficients = w[:-1] / scale
    return np.r_[coefficients, w[-1] - (mean / scale) @ w[:-1]]


def probability(model: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ model[:-1] + model[-1])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, default=SQUAD)
    parser.add_argument("--target-declined", type=float, default=0.03,
                        help="share of answerable questions the threshold may decline (held-out)")
    args = parser.parse_args()
    x, y, groups = collect(args.squad)
    held_out = np.zeros(len(y))
    for group in np.unique(groups):
        inside = groups == group
        held_out[inside] = probability(fit(x[~inside], y[~inside]), x[inside])
    threshold = float(np.quantile(held_out[y == 1], args.target_declined))
    model = fit(x, y)
    print(f"{len(y)} questions ({int(y.sum())} answerable) from {len(np.unique(groups))} articles")
    print("held-out (each article scored by a model fitted without it):")
    for share in (0.01, 0.02, 0.03, 0.05, 0.10):
        t = np.quantile(held_out[y == 1], share)
        print(f"  answerable declined {share:.2f} -> off-topic declined {(held_out[y == 0] < t).mean():.3f}")
    print(f"COEFFICIENTS = ({', '.join(f'{c:.4f}' for c in model[:-1])})")
    print(f"INTERCEPT = {model[-1]:.4f}")
    print(f"THRESHOLD = {threshold:.4f}")


if __name__ == "__main__":
    main()
