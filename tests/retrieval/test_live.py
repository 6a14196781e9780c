"""Reloading the served corpus: swaps, diffs, failures that keep the old corpus serving, and the cache."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from quotebot.retrieval import live as live_module
from quotebot.retrieval.index.cache import cache_paths
from quotebot.retrieval.index.corpus_index import build_index
from quotebot.retrieval.ingest.loader import CorpusError
from quotebot.retrieval.live import LiveEngine

FLOODS = "# Floods\n\nThe river flooded the valley in 2019, and 1,047 families moved to higher ground."
BIRDS = "# Birds\n\nSwallows return to the barn every April and leave again in September."
DAMS = "# Dams\n\nA new concrete dam was built upstream to hold back the spring melt water."


@pytest.fixture
def folder(write_corpus) -> Path:  # type: ignore[no-untyped-def]
    return write_corpus({"floods.md": FLOODS, "birds.md": BIRDS})


def test_load_reports_every_document_as_added_and_answers(folder: Path) -> None:
    live = LiveEngine(folder)
    report = live.load()
    assert report.added == ("birds.md", "floods.md") and report.removed == report.changed == ()
    assert report.documents == 2 and report.passages == 2
    assert "1,047 families" in (live.ask("How many families moved?").quote or "")


def test_reload_swaps_in_the_new_corpus_and_reports_the_diff(folder: Path) -> None:
    live = LiveEngine(folder)
    live.load()
    (folder / "birds.md").unlink()
    (folder / "floods.md").write_text(FLOODS.replace("1,047", "2,310"), encoding="utf-8")
    (folder / "dams.md").write_text(DAMS, encoding="utf-8")

    report = live.reload()

    assert (report.added, report.removed, report.changed) == (("dams.md",), ("birds.md",), ("floods.md",))
    assert "2,310 families" in (live.ask("How many families moved?").quote or "")
    assert live.ask("When do swallows return to the barn?").answered is False


def test_reload_with_nothing_changed_keeps_the_index(folder: Path) -> None:
    live = LiveEngine(folder)
    live.load()
    before = live.engine.corpus
    report = live.reload()
    assert report.unchanged
    assert live.engine.corpus is before


def test_a_failed_reload_raises_and_the_old_corpus_keeps_serving(folder: Path) -> None:
    live = LiveEngine(folder)
    live.load()
    engine = live.engine
    for path in folder.glob("*.md"):
        path.unlink()
    with pytest.raises(CorpusError, match="no usable"):
        live.reload()
    assert live.engine is engine
    assert live.ask("How many families moved?").answered


def test_documents_without_text_fail_the_reload_and_keep_the_old_corpus(folder: Path) -> None:
    live = LiveEngine(folder)
    live.load()
    engine = live.engine
    for path in folder.glob("*.md"):
        path.write_text("## Only a heading\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="no text"):
        live.reload()
    assert live.engine is engine


def test_questions_during_a_reload_are_answered_from_the_old_corpus(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = LiveEngine(folder)
    live.load()
    building, release = threading.Event(), threading.Event()

    def slow_build(documents, previous=None):  # type: ignore[no-untyped-def]
        building.set()
        assert release.wait(10)
        return build_index(documents, previous)

    monkeypatch.setattr(live_module, "build_index", slow_build)
    (folder / "floods.md").write_text(FLOODS.replace("1,047", "2,310"), encoding="utf-8")
    reloading = threading.Thread(target=live.reload)
    reloading.start()
    assert building.wait(10)
    assert "1,047 families" in (live.ask("How many families moved?").quote or "")
    release.set()
    reloading.join(10)
    assert "2,310 families" in (live.ask("How many families moved?").quote or "")


def test_a_restart_loads_the_saved_index_instead_of_building(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    LiveEngine(folder).load()
    assert cache_paths(folder)[0].is_file()

    def no_build(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the index should come from the cache")

    monkeypatch.setattr(live_module, "build_index", no_build)
    restarted = LiveEngine(folder)
    assert restarted.load().added == ("birds.md", "floods.md")
    assert "1,047 families" in (restarted.ask("How many families moved?").quote or "")


def test_a_reload_rebuilds_from_the_previous_index(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    live = LiveEngine(folder)
    live.load()
    previous = live.engine.corpus
    seen = []

    def recording(documents, previous=None):  # type: ignore[no-untyped-def]
        seen.append(previous)
        return build_index(documents, previous)

    monkeypatch.setattr(live_module, "build_index", recording)
    (folder / "dams.md").write_text(DAMS, encoding="utf-8")
    live.reload()
    assert seen == [previous]
