"""The corpus library: named corpora loaded on demand from their cache, an LRU bound, own-plus-shared answers."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from quotebot.retrieval import live as live_module
from quotebot.retrieval.ingest.loader import CorpusError
from quotebot.retrieval.ingest.store import remove_document, save_upload
from quotebot.retrieval.library.corpora import CorpusLibrary
from quotebot.retrieval.live import LiveEngine

SHARED = "# Rivers\n\nThe river flooded the valley in 2019, and 1,047 families moved to higher ground."
BIRDS = "# Birds\n\nSwallows return to the barn every April and leave again in September."
DAMS = "# Dams\n\nA new concrete dam was built upstream in 1987 to hold back the spring melt water."


@pytest.fixture
def shared(write_corpus) -> LiveEngine:  # type: ignore[no-untyped-def]
    live = LiveEngine(write_corpus({"rivers.md": SHARED}, name="shared"))
    live.load()
    return live


def library_in(root: Path, shared: LiveEngine, capacity: int = 10, **options) -> CorpusLibrary:  # type: ignore[no-untyped-def]
    return CorpusLibrary(shared, lambda name: root / name, capacity=capacity, **options)


def write(root: Path, name: str, files: dict[str, str]) -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, text in files.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    return folder


def test_a_name_without_documents_is_answered_from_the_shared_corpus_without_touching_disk_again(
    tmp_path: Path, shared: LiveEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = library_in(tmp_path, shared)
    assert library.engine("a") is None
    assert "1,047 families" in (library.ask("a", "How many families moved?").quote or "")
    monkeypatch.setattr("quotebot.retrieval.library.corpora.has_documents", lambda folder: pytest.fail("disk read"))
    assert library.engine("a") is None and library.loaded_names() == ()


def test_own_documents_alone_or_with_the_shared_ones(tmp_path: Path, shared: LiveEngine) -> None:
    write(tmp_path, "a", {"birds.md": BIRDS})
    library = library_in(tmp_path, shared)
    own_only = library.ask("a", "How many families moved?", include_shared=False)
    combined = library.ask("a", "How many families moved?", include_shared=True)
    assert not own_only.answered
    assert combined.answered and combined.source is not None and combined.source.id == "rivers.md"
    birds = library.ask("a", "When do swallows return to the barn?")
    assert birds.answered and birds.source is not None and birds.source.id == "birds.md"
    assert library.ask(None, "When do swallows return to the barn?").answered is False  # DMs: shared only


def test_a_named_corpus_loads_warm_from_its_cache(tmp_path: Path, shared: LiveEngine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "a", {"birds.md": BIRDS})
    library_in(tmp_path, shared).engine("a")  # builds and saves the cache

    def no_build(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a warm load reads the saved index")

    monkeypatch.setattr(live_module, "build_index", no_build)
    fresh = library_in(tmp_path, shared)
    assert fresh.ask("a", "When do swallows return to the barn?").answered


def counted_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders of the corpora loaded from now on, one entry per load."""
    loads: list[Path] = []
    real_load = LiveEngine.load

    def load(self: LiveEngine, *args: object, **options: object) -> object:
        loads.append(self.folder)
        return real_load(self, *args, **options)

    monkeypatch.setattr(LiveEngine, "load", load)
    return loads


def test_at_most_capacity_corpora_stay_loaded_least_recently_used_first_out(
    tmp_path: Path, shared: LiveEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in "abcd":
        write(tmp_path, name, {"birds.md": BIRDS})
    loads = counted_loads(monkeypatch)
    library = library_in(tmp_path, shared, capacity=2)
    for name in ("a", "b", "a", "c"):
        library.engine(name)
    assert library.loaded_names() == ("a", "c")  # b was used least recently
    assert len(loads) == 3
    assert library.unload("a") and not library.unload("a")
    assert library.loaded_names() == ("c",)


def test_change_reports_against_what_was_served_even_when_it_was_not_in_memory(
    tmp_path: Path, shared: LiveEngine
) -> None:
    write(tmp_path, "a", {"birds.md": BIRDS})
    library_in(tmp_path, shared).engine("a")
    library = library_in(tmp_path, shared)  # a restart: nothing loaded
    report = library.change(
        "a", lambda folder: save_upload(folder, "dams.md", DAMS.encode(), max_bytes=10_000)
    )
    assert (report.added, report.removed, report.documents) == (("dams.md",), (), 2)
    assert library.ask("a", "When was the concrete dam built?").answered


def test_the_first_document_creates_the_folder_and_the_last_one_removed_returns_to_the_shared_corpus(
    tmp_path: Path, shared: LiveEngine
) -> None:
    library = library_in(tmp_path, shared)
    assert library.engine("new") is None
    added = library.change("new", lambda folder: save_upload(folder, "birds.md", BIRDS.encode(), max_bytes=10_000))
    assert added.added == ("birds.md",) and (tmp_path / "new" / "birds.md").is_file()
    assert library.ask("new", "When do swallows return to the barn?").answered
    emptied = library.change("new", lambda folder: remove_document(folder, "birds.md"))
    assert (emptied.removed, emptied.documents, emptied.passages) == (("birds.md",), 0, 0)
    assert library.engine("new") is None and library.loaded_names() == ()
    assert library.ask("new", "How many families moved?").answered


def test_a_failed_change_keeps_the_old_corpus_serving(tmp_path: Path, shared: LiveEngine) -> None:
    write(tmp_path, "a", {"birds.md": BIRDS})
    library = library_in(tmp_path, shared)
    served = library.engine("a")
    (tmp_path / "a" / "birds.md").write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(CorpusError, match="no usable"):
        library.change("a")
    assert library.engine("a") is served
    assert library.ask("a", "When do swallows return to the barn?").answered


def test_one_name_loads_once_however_many_threads_ask_at_the_same_time(
    tmp_path: Path, shared: LiveEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "a", {"birds.md": BIRDS})
    loads = counted_loads(monkeypatch)
    library = library_in(tmp_path, shared)
    engines: list[LiveEngine | None] = []
    threads = [threading.Thread(target=lambda: engines.append(library.engine("a"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(loads) == 1 and len({id(engine) for engine in engines}) == 1
