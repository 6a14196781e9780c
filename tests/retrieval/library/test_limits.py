"""A server's corpus is held to its limits before anything is written; the shared corpus has none."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from quotebot.retrieval.ingest.store import save_upload
from quotebot.retrieval.library.corpora import CorpusLibrary
from quotebot.retrieval.library.limits import CorpusLimits, OverLimit
from quotebot.retrieval.live import LiveEngine

BIRDS = b"# Birds\n\nSwallows return to the barn every April and leave again in September.\n"
DAMS = b"# Dams\n\nA new concrete dam was built upstream in 1987 to hold back the spring melt water.\n"
LONG = "\n\n".join(f"## Part {n}\n\n" + f"Paragraph {n} says the harbour crane {n} lifts boats. " * 30 for n in range(6))


def adding(name: str, raw: bytes) -> Callable[[Path], object]:
    return lambda folder: save_upload(folder, name, raw, max_bytes=1 << 20)


@pytest.fixture
def library(write_corpus, tmp_path: Path) -> CorpusLibrary:  # type: ignore[no-untyped-def]
    shared = LiveEngine(write_corpus({"rivers.md": "# Rivers\n\nThe river flooded in 2019."}, name="shared"))
    shared.load()
    return CorpusLibrary(
        shared, lambda name: tmp_path / "servers" / name, capacity=4, limits=CorpusLimits(documents=2, passages=6)
    )


def test_an_addition_over_the_document_limit_is_refused_naming_it_and_writes_nothing(library: CorpusLibrary) -> None:
    for name, raw in (("birds.md", BIRDS), ("dams.md", DAMS)):
        library.change("guild", adding(name, raw))
    before = sorted(p.name for p in library.folder("guild").iterdir())
    with pytest.raises(OverLimit, match="at most 2 documents, and this would make 3"):
        library.change("guild", adding("ferries.md", b"# Ferries\n\nThe ferry leaves at nine.\n"))
    assert sorted(p.name for p in library.folder("guild").iterdir()) == before
    assert library.engine("guild").engine.documents[0].id == "birds.md"  # type: ignore[union-attr]


def test_replacing_a_document_counts_it_once(library: CorpusLibrary) -> None:
    for name, raw in (("birds.md", BIRDS), ("dams.md", DAMS), ("birds.md", BIRDS.replace(b"April", b"March"))):
        report = library.change("guild", adding(name, raw))
    assert report.changed == ("birds.md",) and report.documents == 2


def test_an_addition_over_the_passage_limit_is_refused(library: CorpusLibrary) -> None:
    with pytest.raises(OverLimit, match="at most 6 passages"):
        library.change("guild", adding("crane.md", LONG.encode()))
    assert not library.folder("guild").exists() or not any(library.folder("guild").glob("*.md"))


def test_an_archive_over_the_limit_adds_none_of_its_documents(library: CorpusLibrary) -> None:
    import io
    import zipfile

    from quotebot.retrieval.ingest.archive import import_archive

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(3):
            archive.writestr(f"note-{n}.md", f"# Note {n}\n\nThe ferry number {n} leaves at nine.\n")
    with pytest.raises(OverLimit, match="at most 2 documents"):
        library.change("guild", lambda folder: import_archive(folder, buffer.getvalue()))
    assert not any(library.folder("guild").rglob("*.md"))
