"""The vectors of one snapshot's passages, in passage order, filling in while the snapshot serves.

A new corpus answers at once with BM25; its vectors arrive from the
process's embedding scheduler (``embedding_scheduler``), which takes first the
passages questions asked for (``request``), and land here row by row. A row
is written before it is marked ready, so a reader never sees half a vector.
Several threads may embed at once (the scheduler's workers, ``corpus embed``):
each passage is claimed by one of them, so none is embedded twice.

Nearest-passage search must stay fast at 100,000 passages: a float32 scan
of 100k × 384 values is memory-bound (about 24 ms here), so passages are
first compared by the signs of their vectors (48 bytes each, Hamming
distance, ~1 ms), and only the ``PREFILTER`` closest are scored exactly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Sequence

import numpy as np

from quotebot.retrieval.index.embedding import TextEmbedder
from quotebot.retrieval.index.vector_store import StoredVectors, VectorStore, passage_digest
from quotebot.retrieval.ingest.models import Passage
from quotebot.retrieval.ingest.sentences import sentence_spans

# Passages scored exactly after the sign comparison.
PREFILTER = 256
# Questions whose vectors are kept: a server's question is asked of its own corpus and of the shared one.
QUESTIONS_KEPT = 1024

_question_vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_question_lock = threading.Lock()


def question_vector(embedder: TextEmbedder, text: str) -> np.ndarray:
    """The question's unit vector, embedded once however many corpora it is asked of (a few ms each time saved)."""
    key = (embedder.identity, text)
    with _question_lock:
        vector = _question_vectors.get(key)
        if vector is not None:
            _question_vectors.move_to_end(key)
            return vector
    vector = embedder.embed([text])[0]
    with _question_lock:
        _question_vectors[key] = vector
        while len(_question_vectors) > QUESTIONS_KEPT:
            _question_vectors.popitem(last=False)
    return vector


def embed_passage_texts(embedder: TextEmbedder, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each text's own vector and its sentences' vectors, in one call to the model."""
    pieces: list[str] = []
    shapes: list[int] = []
    for text in texts:
        spans = sentence_spans(text) or [(0, len(text))]
        pieces.append(text)
        pieces.extend(text[a:b] for a, b in spans)
        shapes.append(len(spans))
    vectors = embedder.embed(pieces)
    result = []
    position = 0
    for count in shapes:
        result.append((vectors[position], vectors[position + 1:position + 1 + count]))
        position += 1 + count
    return result


class PassageVectors:
    """Vectors of ``passages`` (from ``store``, or embedded by ``embedder`` on request), searchable by meaning."""

    def __init__(self, passages: Sequence[Passage], store: VectorStore, embedder: TextEmbedder) -> None:
        self.passages = passages
        self.store = store
        self.embedder = embedder
        count, dimension = len(passages), store.dimension
        self.digests = [passage_digest(passage.text) for passage in passages]
        self._matrix = np.zeros((count, dimension), dtype=np.int8)
        self._scales = np.zeros(count, dtype=np.float32)
        self._signs = np.zeros(((dimension + 63) // 64, count), dtype=np.uint64)
        self._ready = np.zeros(count, dtype=bool)
        self._claims = threading.Lock()
        self._claimed: set[int] = set()
        # Positions questions found without vectors, newest last; duplicates and ready ones are skipped when taken.
        self._requested: deque[int] = deque(maxlen=4 * count or 1)
        for position, digest in enumerate(self.digests):
            stored = store.get(digest)
            if stored is not None:
                self._fill(position, stored)

    @property
    def total(self) -> int:
        return len(self.digests)

    @property
    def ready_count(self) -> int:
        return int(self._ready.sum())

    @property
    def complete(self) -> bool:
        return bool(self._ready.all())

    def is_ready(self, position: int) -> bool:
        return bool(self._ready[position])

    def missing(self, positions: Sequence[int] | None = None, limit: int | None = None) -> list[int]:
        """Positions (of ``positions``, else of all passages) that have no vector yet, at most ``limit``."""
        if positions is None:
            found = np.flatnonzero(~self._ready)
            return found[:limit].tolist() if limit is not None else found.tolist()
        return [p for p in positions if not self._ready[p]][:limit]

    def request(self, positions: Sequence[int]) -> None:
        """Ask for these passages' vectors before any other's: a question found them without."""
        self._requested.extend(positions)

    def take_requested(self, limit: int) -> list[int]:
        """Up to ``limit`` requested passages still without vectors, most recently requested first."""
        taken: list[int] = []
        while self._requested and len(taken) < limit:
            try:
                position = self._requested.pop()
            except IndexError:  # emptied by another thread meanwhile
                break
            if not self._ready[position] and position not in taken:
                taken.append(position)
        return taken

    def ensure(self, positions: Sequence[int]) -> int:
        """Embed the passages among ``positions`` that have no vector yet and that no other thread is embedding
        (and keep their vectors in the store); the number embedded here."""
        with self._claims:
            todo = [p for p in self.missing(positions) if p not in self._claimed]
            self._claimed.update(todo)
        try:
            # Another snapshot may have embedded the same text meanwhile.
            for position in list(todo):
                stored = self.store.get(self.digests[position])
                if stored is not None:
                    self._fill(position, stored)
                    todo.remove(position)
            if not todo:
                return 0
            texts = [self.passages[p].text for p in todo]
            for position, (passage, sentences) in zip(todo, embed_passage_texts(self.embedder, texts)):
                self._fill(position, self.store.add(self.digests[position], passage, sentences))
            return len(todo)
        finally:
            with self._claims:
                self._claimed.difference_update(todo)

    def nearest(self, unit_question: np.ndarray, k: int) -> list[int]:
        """The ``k`` ready passages closest in meaning to the question, closest first."""
        ready = np.flatnonzero(self._ready)
        if k <= 0 or ready.size == 0:
            return []
        if ready.size > PREFILTER:
            signs = _sign_words(unit_question)
            distance = np.zeros(self.total, dtype=np.uint16)
            for word, row in zip(signs, self._signs):
                distance += np.bitwise_count(row ^ word)
            distance[~self._ready] = np.iinfo(np.uint16).max
            ready = np.argpartition(distance, PREFILTER)[:PREFILTER]
            ready = ready[self._ready[ready]]
        cosines = self.passage_cosines(unit_question, ready)
        best = np.argsort(-cosines, kind="stable")[:k]
        return ready[best].tolist()

    def passage_cosines(self, unit_question: np.ndarray, positions: Sequence[int] | np.ndarray) -> np.ndarray:
        """Cosine of the question with each passage (0 for one without a vector)."""
        index = np.asarray(positions, dtype=np.intp)
        cosines = (self._matrix[index].astype(np.float32) @ unit_question) * self._scales[index]
        return np.where(self._ready[index], cosines, 0.0)

    def sentence_cosines(self, unit_question: np.ndarray, position: int) -> np.ndarray | None:
        """Cosine of the question with each sentence of the passage, or ``None`` when it has no vectors."""
        stored = self.store.get(self.digests[position]) if self._ready[position] else None
        return None if stored is None else stored.sentence_cosines(unit_question)

    def _fill(self, position: int, stored: StoredVectors) -> None:
        self._matrix[position] = stored.passage
        self._scales[position] = stored.passage_scale
        self._signs[:, position] = _sign_words(stored.passage.astype(np.float32))
        self._ready[position] = True


def _sign_words(vector: np.ndarray) -> np.ndarray:
    """The signs of a vector's components packed into 64-bit words."""
    bits = np.packbits(vector > 0)
    padded = np.zeros(-(-bits.size // 8) * 8, dtype=np.uint8)
    padded[:bits.size] = bits
    return padded.view(np.uint64)
