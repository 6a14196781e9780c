"""The one interface between retrieval and a sentence-embedding model.

BM25 sees shared words; a small embedding model sees meaning ("How many
refugees has America taken in?" ~ "225 have been admitted to the United
States"). Everything downstream (the vector store, nearest-passage search,
fusion, confidence) depends only on this protocol, so the model behind it
(the bundled int8 MiniLM, a user's own ONNX folder, a test double) can be
swapped without touching them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class SemanticUnavailable(Exception):
    """The semantic model cannot be used; ``str()`` is the one line to show, BM25 answers instead."""


class TextEmbedder(Protocol):
    """Texts to unit-length float32 vectors, one row per text.

    ``identity`` names the model and its exact files (it is part of every
    cache key, so vectors of one model are never read as another's);
    ``dimension`` is the length of a vector. Implementations must be safe to
    call from several threads.
    """

    identity: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...
