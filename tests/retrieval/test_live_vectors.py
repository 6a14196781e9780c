"""The served corpus's vectors: computed once, kept beside the index, filled in the background, never waited for."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotebot.retrieval import live as live_module
from quotebot.retrieval.index.onnx_embedder import load_embedder
from quotebot.retrieval.ingest.shipped import SHIPPED_CORPUS as INSTALLED_CORPUS
from quotebot.retrieval.live import LiveEngine
from tests.retrieval.embedders import CountingEmbedder

TOPICS = ["lighthouse", "harbour crane", "ferry", "fishing boat", "pier", "tugboat", "warehouse", "dock"]


def _documents(count: int) -> dict[str, str]:
    """``count`` one-passage documents, each about a harbour sight."""
    return {
        f"sight-{n:03d}.md": (
            f"# Sight {n}\n\nThe {TOPICS[n % len(TOPICS)]} number {n} was painted blue in {1900 + n}. "
            f"Visitors photograph it every summer, and it appears in {n + 2} guide books.\n"
        )
        for n in range(count)
    }



def test_a_small_corpus_is_embedded_before_it_serves_and_never_again(write_corpus) -> None:  # type: ignore[no-untyped-def]
    folder = write_corpus(_documents(5))
    embedder = CountingEmbedder()
    live = LiveEngine(folder, embedder)
    live.load()
    assert live.embedding_progress is not None and live.embedding_progress.complete
    assert embedder.texts == 5 * 3  # each passage and its two sentences
    live.close()

    restarted = CountingEmbedder()
    again = LiveEngine(folder, restarted)
    again.load()
    assert again.embedding_progress.complete and restarted.texts == 0  # read from the vector store
    (folder / "sight-000.md").write_text("# Sight 0\n\nThe lighthouse was painted red.\n", encoding="utf-8")
    again.reload()
    assert restarted.texts == 1 + 1  # only the edited passage (one sentence) is embedded again
    again.close()


def test_a_large_corpus_serves_at_once_and_is_embedded_in_the_background(
    write_corpus, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(live_module, "EMBED_BEFORE_SERVING", 4)
    folder = write_corpus(_documents(12))
    live = LiveEngine(folder, CountingEmbedder())
    live.load()
    # Questions are answered straight away: the few candidates a question needs get vectors on the spot.
    answer = live.ask("When was the ferry number 2 painted?")
    assert answer.answered and "1902" in answer.quote
    assert live.wait_for_vectors(timeout=120)
    assert live.embedding_progress.complete and live.embedding_progress.total == 12
    live.close()
    again = LiveEngine(folder, CountingEmbedder(), embed_missing=False)
    again.load()
    assert again.embedding_progress.ready == 12


def test_vectors_of_the_shipped_corpus_never_land_in_the_package(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The corpus inside the installed package (site-packages, or the repository in an editable install)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    already = set(INSTALLED_CORPUS.rglob("part-*.npz"))  # e.g. a `quotebot ask` run in the repository's root
    live = LiveEngine(INSTALLED_CORPUS, load_embedder())
    live.load()
    live.close()
    assert set(INSTALLED_CORPUS.rglob("part-*.npz")) == already
    assert list((tmp_path / "cache").rglob("part-*.npz"))
