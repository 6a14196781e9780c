"""Test doubles around the real semantic model: counting what is embedded, slowing it down, making it fail."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np

from quotebot.retrieval.index.onnx_embedder import load_embedder


class CountingEmbedder:
    """The real model, counting the texts it embeds; ``delay`` seconds per call and ``fail_on`` (a text that
    makes a call raise) stand for a slow or broken model."""

    def __init__(self, *, delay: float = 0.0, fail_on: str | None = None) -> None:
        self.model = load_embedder()
        self.identity = self.model.identity
        self.dimension = self.model.dimension
        self.delay = delay
        self.fail_on = fail_on
        self.texts = 0
        self.calls: list[list[str]] = []
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            self.texts += len(texts)
            self.calls.append(list(texts))
        if self.fail_on is not None and any(self.fail_on in text for text in texts):
            raise RuntimeError("the model failed")
        if self.delay:
            time.sleep(self.delay)
        return self.model.embed(texts)
