"""Arrays saved to disk so that a damaged, foreign or tampered file is noticed, never trusted.

The index cache and the vector store are written beside the corpus, where
anyone who can edit the corpus can edit them. Both are therefore one ``.npz``
of plain numeric arrays, read with ``allow_pickle=False`` (so reading cannot
run code), holding a JSON manifest (bytes) with the SHA-256 of every array,
and the SHA-256 of the manifest itself. A file appears atomically (written
under a hidden name, synced, renamed, its folder synced: ``ingest.durable``),
so a reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from quotebot.retrieval.ingest.durable import replacing


def write_arrays(path: Path, manifest: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` and ``manifest`` (plus each array's shape and SHA-256) to ``path``; raises ``OSError``."""
    described = {**manifest, "arrays": {name: {"shape": list(a.shape), "sha256": _digest(a)} for name, a in arrays.items()}}
    raw = json.dumps(described, ensure_ascii=False).encode()
    with replacing(path, temporary_prefix=f".{path.stem}-") as handle:
        np.savez(
            handle,
            manifest=np.frombuffer(raw, dtype=np.uint8),
            manifest_sha256=np.frombuffer(hashlib.sha256(raw).digest(), dtype=np.uint8),
            **arrays,
        )


def read_arrays(
    path: Path, dtypes: dict[str, np.dtype], wanted: Callable[[dict[str, Any]], bool]
) -> tuple[dict[str, Any], dict[str, np.ndarray]] | None:
    """The manifest and arrays of ``path``; ``None`` when ``wanted(manifest)`` says the file is for something else.

    Raises ``ValueError`` when the file is not exactly what was written: other
    arrays than ``dtypes`` names, another dtype, or a checksum that differs.
    """
    with np.load(path, allow_pickle=False) as data:
        if set(data.files) != {"manifest", "manifest_sha256", *dtypes}:
            raise ValueError("unexpected contents")
        raw = data["manifest"]
        if raw.dtype != np.uint8 or hashlib.sha256(raw.tobytes()).digest() != data["manifest_sha256"].tobytes():
            raise ValueError("manifest checksum mismatch")
        manifest = json.loads(raw.tobytes())
        if not wanted(manifest):
            return None
        arrays = {name: data[name] for name in dtypes}
    for name, array in arrays.items():
        expected = manifest["arrays"][name]
        if (array.dtype, list(array.shape), _digest(array)) != (dtypes[name], expected["shape"], expected["sha256"]):
            raise ValueError(f"array {name!r} does not match its checksum")
    return manifest, arrays


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).data).hexdigest()
