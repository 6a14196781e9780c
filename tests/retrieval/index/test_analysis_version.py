"""Saved indexes are kept across upgrades unless analysis changed, and a change to analysis cannot slip through.

The saved index and the vectors are keyed by ``ANALYSIS_VERSION`` (and the
versions of nltk and regex), not by the source of quotebot's modules: an
upgrade that only edits a docstring re-indexes nothing. The price is that a
change to what analysis produces must bump the version by hand; the first
test below notices when it was forgotten, by holding the analysis of a fixed
corpus against the digest recorded for the current version.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from quotebot.retrieval.answer.models import Ranking
from quotebot.retrieval.index import cache as index_cache
from quotebot.retrieval.index import corpus_index
from quotebot.retrieval.index.cache import ANALYSIS_VERSION, load_index
from quotebot.retrieval.index.corpus_index import build_index
from quotebot.retrieval.index.tokens import terms
from quotebot.retrieval.ingest.loader import load_folder
from quotebot.retrieval.ingest.shipped import SHIPPED_CORPUS
from quotebot.retrieval.live import LiveEngine
from tests.retrieval.embedders import CountingEmbedder

RECORDED = Path(__file__).with_name("analysis_digests.json")
# Text that exercises what analysis decides: numbers, percentages, hyphens, possessives, abbreviations,
# headings and list items, quotes and non-ASCII letters.
SAMPLE = """# Rules of the Road

## Passing

Cyclists aren't required to stop at 3-way junctions; the U.S. rule (since Jan. 2019) says 62.1% do anyway.
"Café owners" complained: 1,047 fines in 2019, down from 2,914 in 2009!

- Item one: keep left.
- Item two — keep right?

Mr. Smith's bicycles were repaired in St. Louis at 5 p.m. on the 3rd of May.
"""


def analysis_digest(folder: Path) -> str:
    """SHA-256 over what analysis makes of ``folder``: every saved array but the process's word table, and terms."""
    index = build_index(load_folder(folder).documents)
    digest = hashlib.sha256()
    for name, array in sorted(index_cache._arrays(index).items()):
        if name != "words":  # every word this process analysed so far, whatever it was
            digest.update(name.encode() + array.dtype.str.encode() + array.tobytes())
    for line in SAMPLE.splitlines():
        digest.update(" ".join(terms(line)).encode() + b"\n")
    return digest.hexdigest()


def test_analysis_output_is_the_one_recorded_for_its_version(tmp_path: Path) -> None:
    (tmp_path / "sample.md").write_text(SAMPLE, encoding="utf-8")
    for path in SHIPPED_CORPUS.glob("*.md"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert str(ANALYSIS_VERSION) in recorded, (
        f"ANALYSIS_VERSION {ANALYSIS_VERSION} has no recorded digest: add {analysis_digest(tmp_path)!r} for it "
        f"to {RECORDED.name}"
    )
    assert analysis_digest(tmp_path) == recorded[str(ANALYSIS_VERSION)], (
        "analysis output changed: bump ANALYSIS_VERSION in retrieval/index/cache.py (saved indexes are rebuilt) "
        f"and record the new digest in {RECORDED.name}"
    )



def test_an_upgrade_that_leaves_analysis_alone_reindexes_and_reembeds_nothing(
    write_corpus, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    folder = write_corpus({"harbour.md": "# Harbour\n\nThe ferry leaves at nine. The pier was built in 1902.\n"})
    first = LiveEngine(folder, CountingEmbedder())
    first.load()
    first.close()

    # The next version of quotebot: other code, the same analysis.
    monkeypatch.setattr("quotebot.__version__", "99.0.0")
    index_cache.analysis_key.cache_clear()

    def no_rebuild(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the index was built again")

    monkeypatch.setattr(corpus_index, "build_index", no_rebuild)
    monkeypatch.setattr("quotebot.retrieval.live.build_index", no_rebuild)
    upgraded = CountingEmbedder()
    live = LiveEngine(folder, upgraded)
    live.load()
    assert load_index(folder) is not None
    assert live.embedding_progress is not None and live.embedding_progress.complete
    assert upgraded.texts == 0
    answer = live.ask("When was the pier built?")
    assert answer.ranking is Ranking.SEMANTIC and answer.hits[0].passage.document.id == "harbour.md"
    live.close()


def test_a_new_analysis_version_makes_the_saved_index_stale(write_corpus, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    folder = write_corpus({"harbour.md": "# Harbour\n\nThe ferry leaves at nine.\n"})
    LiveEngine(folder).load()
    assert load_index(folder) is not None
    monkeypatch.setattr(index_cache, "ANALYSIS_VERSION", ANALYSIS_VERSION + 1)
    index_cache.analysis_key.cache_clear()
    try:
        assert load_index(folder) is None
    finally:
        index_cache.analysis_key.cache_clear()
