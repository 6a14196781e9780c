"""Moderator uploads and removals: validated, named safely inside the folder, written atomically."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotebot.retrieval.ingest.loader import CorpusError, load_folder
from quotebot.retrieval.ingest.store import remove_document, safe_name, save_upload

ARTICLE = b"# Defectors\n\n## Numbers\n\nIn 2019, 1,047 defectors arrived in South Korea.\n"
LIMIT = 10_000


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return corpus


def test_upload_is_written_and_loads(folder):
    path = save_upload(folder, "Defectors 2019.md", ARTICLE, max_bytes=LIMIT)
    assert path == folder.resolve() / "defectors-2019.md"
    assert path.read_bytes() == ARTICLE
    (document,) = load_folder(folder).documents
    assert (document.id, document.title) == ("defectors-2019.md", "Defectors")


@pytest.mark.parametrize(
    "filename, expected",
    [
        ("../../etc/passwd.md", "passwd.md"),
        ("..\\..\\windows\\notes.txt", "notes.txt"),
        ("/abs/path/Report.MD", "report.md"),
        (".hidden.md", "hidden.md"),
        ("My Notes (final).TXT", "my-notes-final.txt"),
        ("Übersicht – Flüchtlinge.md", "ubersicht-fluchtlinge.md"),
        ("a" * 300 + ".md", "a" * 80 + ".md"),
    ],
)
def test_file_names_become_safe_slugs(filename, expected):
    assert safe_name(filename) == expected


@pytest.mark.parametrize("filename", ["notes.pdf", "notes", "script.md.exe", "...md", "---.txt", "🙂.md", "..", ""])
def test_unusable_file_names_are_refused(folder, filename):
    with pytest.raises(CorpusError):
        save_upload(folder, filename, ARTICLE, max_bytes=LIMIT)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"x" * (LIMIT + 1), "larger than the 10,000-byte limit"),
        ("caf\u00e9".encode("latin-1"), "not UTF-8"),
        (b"text\x00binary", "binary"),
        (b"---\ntitle: [unclosed\n---\nbody\n", "front matter is not valid YAML"),
        (b"---\ntitle: never closed\n", "not closed"),
        (b"   \n\n", "empty"),
    ],
)
def test_bad_content_is_refused_with_a_reason(folder, raw, reason):
    with pytest.raises(CorpusError, match=reason):
        save_upload(folder, "bad.md", raw, max_bytes=LIMIT)
    assert list(folder.iterdir()) == []


def test_given_metadata_is_merged_into_the_front_matter(folder):
    raw = b"---\ntitle: Old title\npublisher: KEI\ntags: [korea]\n---\nThe body stays as it was.\n"
    path = save_upload(
        folder, "a.md", raw, title="New title", author="Robert R. King", url="https://example.org/a", max_bytes=LIMIT
    )
    (document,) = load_folder(folder).documents
    assert (document.title, document.author, document.url, document.publisher) == (
        "New title",
        "Robert R. King",
        "https://example.org/a",
        "KEI",
    )
    assert document.extra == {"tags": ["korea"]}
    assert document.body == "The body stays as it was.\n"
    assert path.read_text().startswith("---\ntitle: New title\n")


def test_metadata_can_be_added_to_a_file_without_front_matter(folder):
    save_upload(folder, "plain.txt", b"Just text about defectors.\n", author="Someone", max_bytes=LIMIT)
    (document,) = load_folder(folder).documents
    assert document.author == "Someone" and document.body == "Just text about defectors.\n"


def test_a_url_must_be_a_web_link(folder):
    with pytest.raises(CorpusError, match="http"):
        save_upload(folder, "a.md", ARTICLE, url="javascript:alert(1)", max_bytes=LIMIT)


def test_an_upload_replaces_the_file_of_the_same_name_atomically(folder):
    save_upload(folder, "a.md", ARTICLE, max_bytes=LIMIT)
    save_upload(folder, "A.md", b"# Updated\n\nNew text.\n", max_bytes=LIMIT)
    assert [path.name for path in folder.iterdir()] == ["a.md"]
    assert (folder / "a.md").read_bytes() == b"# Updated\n\nNew text.\n"


def test_a_missing_folder_is_a_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        save_upload(tmp_path / "nowhere", "a.md", ARTICLE, max_bytes=LIMIT)


def test_remove_deletes_the_document_file(folder):
    save_upload(folder, "a.md", ARTICLE, max_bytes=LIMIT)
    (folder / "sub").mkdir()
    (folder / "sub" / "b.md").write_bytes(ARTICLE)
    assert remove_document(folder, "sub/b.md") == folder.resolve() / "sub" / "b.md"
    assert [document.id for document in load_folder(folder).documents] == ["a.md"]


@pytest.mark.parametrize("document_id", ["missing.md", "../outside.md", "/etc/passwd", "", ".", "notes.pdf", "sub"])
def test_remove_refuses_anything_but_a_document_inside_the_folder(folder, document_id):
    (folder.parent / "outside.md").write_bytes(ARTICLE)
    (folder / "notes.pdf").write_bytes(b"%PDF")
    (folder / "sub").mkdir()
    with pytest.raises(CorpusError):
        remove_document(folder, document_id)
    assert (folder.parent / "outside.md").exists() and (folder / "notes.pdf").exists()


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filename=st.text(max_size=120))
def test_any_file_name_lands_inside_the_folder_or_is_refused(folder, filename):
    try:
        path = save_upload(folder, filename, ARTICLE, max_bytes=LIMIT)
    except CorpusError:
        return
    assert path.parent == folder.resolve()
    assert path.suffix in {".md", ".txt"} and not path.name.startswith(".")
    path.unlink()
