"""A ``.zip`` first import: usable documents added (sub-folders kept), every other entry named with its reason."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from quotebot.retrieval import CorpusError, load_folder
from quotebot.retrieval.ingest import archive
from quotebot.retrieval.ingest.archive import import_archive

GUIDE = "---\ntitle: Raid guide\n---\n\nRaids start at eight in the evening, server time.\n"


def _zip(entries: dict[str, bytes | str], *, link: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as made:
        for name, data in entries.items():
            made.writestr(name, data)
        if link is not None:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            made.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def test_an_export_folder_is_imported_and_its_refused_entries_named(tmp_path, article_html, article_pdf):
    raw = _zip(
        {
            "Handbook/Raid Guide.md": GUIDE,
            "Handbook/defectors.html": article_html,
            "defectors.pdf": article_pdf,
            "../../outside.md": GUIDE,
            "/etc/cron.d/job.md": GUIDE,
            "Handbook/logo.png": b"\x89PNG\r\n",
            "__MACOSX/Handbook/._Raid Guide.md": b"\x00\x05\x16\x07",
            "notes/.hidden.md": GUIDE,
            "bomb.txt": "a" * 2_000_000,
            "scan.pdf": b"%PDF-1.4 nothing readable",
            "empty.md": "",
        },
        link="handbook/passwords.md",
    )
    imported = import_archive(tmp_path, raw)
    assert imported.added == ("handbook/raid-guide.md", "handbook/defectors.md", "defectors.md")
    assert [(entry.name, entry.reason) for entry in imported.refused] == [
        ("../../outside.md", "its path leads outside the folder"),
        ("/etc/cron.d/job.md", "its path leads outside the folder"),
        ("Handbook/logo.png", "not a kind of document quotebot reads (.md, .txt, .html, .htm, .pdf, .docx)"),
        ("__MACOSX/Handbook/._Raid Guide.md", "a hidden or system file"),
        ("notes/.hidden.md", "a hidden or system file"),
        ("bomb.txt", "compressed more than 100:1, refused as a possible zip bomb"),
        ("scan.pdf", "not a readable PDF (PdfStreamError)"),
        ("empty.md", "empty document"),
        ("handbook/passwords.md", "a link, not a file"),
    ]
    files = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*") if path.is_file())
    assert files == ["defectors.md", "defectors.pdf", "handbook/defectors.html", "handbook/defectors.md", "handbook/raid-guide.md"]
    titles = {document.id: document.title for document in load_folder(tmp_path).documents}
    assert titles["handbook/raid-guide.md"] == "Raid guide"
    assert titles["defectors.md"] == "Number of North Korean Defectors Declines"


def test_too_many_entries_or_too_many_bytes_refuse_the_whole_archive(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_ENTRIES", 3)
    with pytest.raises(CorpusError, match="^the archive holds 4 files; at most 3 can be imported at once$"):
        import_archive(tmp_path, _zip({f"{n}.md": GUIDE for n in range(4)}))
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 100)
    with pytest.raises(CorpusError, match="^the archive unpacks to 154 bytes; the limit is 100$"):
        import_archive(tmp_path, _zip({"a.md": GUIDE, "b.md": GUIDE}))
    assert list(tmp_path.iterdir()) == []


def test_an_archive_with_nothing_usable_adds_nothing_and_says_why(tmp_path):
    with pytest.raises(CorpusError) as refused:
        import_archive(tmp_path, _zip({"a.exe": b"MZ", "../b.md": GUIDE}))
    assert str(refused.value) == (
        "nothing in the archive could be added: a.exe (not a kind of document quotebot reads (.md, .txt, .html, "
        ".htm, .pdf, .docx)); ../b.md (its path leads outside the folder)"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("raw", [b"PK\x03\x04 truncated", b"not a zip", b""])
def test_a_broken_archive_is_refused(tmp_path, raw):
    with pytest.raises(CorpusError, match="^not a readable .zip file$"):
        import_archive(tmp_path, raw)
