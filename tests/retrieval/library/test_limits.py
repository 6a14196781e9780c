"""A server's corpus is held to its limits before anything is written; the shared corpus has none."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotebot.retrieval.ingest.loader import parse_document
from quotebot.retrieval.ingest.store import save_upload
from quotebot.retrieval.library.corpora import CorpusLibrary
from quotebot.retrieval.library.limits import CorpusLimits, OverLimit
from quotebot.retrieval.live import LiveEngine

BIRDS = b"# Birds\n\nSwallows return to the barn every April and leave again in September.\n"
DAMS = b"# Dams\n\nA new concrete dam was built upstream in 1987 to hold back the spring melt water.\n"
LONG = "\n\n".join(f"## Part {n}\n\n" + f"Paragraph {n} says the harbour crane {n} lifts boats. " * 30 for n in range(6))


def adding(name: str, raw: bytes) -> tuple[object, list]:  # type: ignore[type-arg]
    return (lambda folder: save_upload(folder, name, raw, max_bytes=1 << 20)), [parse_document(name, raw)]


@pytest.fixture
def library(write_corpus, tmp_path: Path) -> CorpusLibrary:  # type: ignore[no-untyped-def]
    shared = LiveEngine(write_corpus({"rivers.md": "# Rivers\n\nThe river flooded in 2019."}, name="shared"))
    shared.load()
    return CorpusLibrary(
        shared, lambda name: tmp_path / "servers" / name, capacity=4, limits=CorpusLimits(documents=2, passages=6)
    )


def test_an_addition_over_the_document_limit_is_refused_naming_it_and_writes_nothing(library: CorpusLibrary) -> None:
    for name, raw in (("birds.md", BIRDS), ("dams.md", DAMS)):
        operation, documents = adding(name, raw)
        library.change("guild", operation, adding=documents)
    before = sorted(p.name for p in library.folder("guild").iterdir())
    operation, documents = adding("ferries.md", b"# Ferries\n\nThe ferry leaves at nine.\n")
    with pytest.raises(OverLimit, match="at most 2 documents, and this would make 3"):
        library.change("guild", operation, adding=documents)
    assert sorted(p.name for p in library.folder("guild").iterdir()) == before
    assert library.engine("guild").engine.documents[0].id == "birds.md"  # type: ignore[union-attr]


def test_replacing_a_document_counts_it_once(library: CorpusLibrary) -> None:
    for name, raw in (("birds.md", BIRDS), ("dams.md", DAMS), ("birds.md", BIRDS.replace(b"April", b"March"))):
        operation, documents = adding(name, raw)
        report = library.change("guild", operation, adding=documents)
    assert report.changed == ("birds.md",) and report.documents == 2


def test_an_addition_over_the_passage_limit_is_refused(library: CorpusLibrary) -> None:
    operation, documents = adding("crane.md", LONG.encode())
    assert len(documents) == 1
    with pytest.raises(OverLimit, match="at most 6 passages"):
        library.change("guild", operation, adding=documents)
    assert not library.folder("guild").exists() or not any(library.folder("guild").glob("*.md"))
