"""``quotebot corpus add URL|FILE``: the article added from a local web server, as a PDF file, and as a zip;
refusals are one line and add nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from quotebot.bot import cli
from quotebot.retrieval import load_folder
from quotebot.retrieval.ingest.passages import split_document
from tests.conftest import SHIPPED_ARTICLE, SHIPPED_CORPUS
from tests.page_server import Route

TITLE = "Number of North Korean Defectors Declines"


@pytest.fixture
def corpus(clean_env: Path) -> Path:
    folder = clean_env / "community"
    folder.mkdir()
    (folder / "rules.md").write_text("# Rules\n\nBe kind to one another in every channel of the server.\n")
    return folder


@pytest.mark.parametrize(
    "path, fixture, form_differences",
    [
        ("/the-peninsula/defectors-declines/", "article_html", 1),  # the photo credit
        ("/reports/defectors-declines.pdf", "article_pdf", 2),  # and the paragraph cut at page 2's end
    ],
)
def test_the_article_from_a_local_server_gives_the_hand_cleaned_passages(
    clean_env, page_server, monkeypatch, capsys, request, path, fixture, form_differences
):
    """The check on text nobody here wrote, through the operator's command: the page and the PDF fetched from
    a web server, against the hand-cleaned document (the differences are listed in tests/retrieval/ingest/
    formats/test_article_forms.py)."""
    monkeypatch.setenv("QUOTEBOT_FETCH_ALLOW_HOSTS", "127.0.0.1")
    raw = request.getfixturevalue(fixture)
    page_server.routes[path] = Route(raw, content_type="application/pdf" if path.endswith(".pdf") else "text/html")
    folder = clean_env / "from-the-web"
    folder.mkdir()
    assert cli.main(["corpus", "add", page_server.url(path), "--corpus", str(folder)]) == 0
    (document,) = load_folder(folder).documents
    (hand_cleaned,) = [d for d in load_folder(SHIPPED_CORPUS).documents if d.id == SHIPPED_ARTICLE]
    fetched = [(p.section, p.text) for p in split_document(document)]
    expected = [(p.section, p.text) for p in split_document(hand_cleaned)]
    assert len(fetched) == len(expected) == 25
    assert len([passage for passage in fetched if passage not in expected]) == form_differences
    assert (document.title, document.author) == (hand_cleaned.title, hand_cleaned.author)
    assert document.url == page_server.url(path)


def test_a_page_is_fetched_extracted_and_loaded(corpus, page_server, article_html, monkeypatch, capsys):
    monkeypatch.setenv("QUOTEBOT_FETCH_ALLOW_HOSTS", "127.0.0.1")
    page_server.routes["/the-peninsula/defectors-declines/"] = Route(article_html)
    url = page_server.url("/the-peninsula/defectors-declines/")
    assert cli.main(["corpus", "add", url, "--corpus", str(corpus)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Added defectors-declines.md to {corpus}: 2 documents, 26 passages."
    document = {d.id: d for d in load_folder(corpus).documents}["defectors-declines.md"]
    assert (document.title, document.author, document.url) == (TITLE, "Robert R. King", url)
    assert document.extra["source_url"] == url and document.extra["original"] == "defectors-declines.html"


def test_a_pdf_file_and_a_zip_are_added_with_refused_entries_named(corpus, article_pdf, capsys, tmp_path):
    pdf = tmp_path / "Defectors Report.pdf"
    pdf.write_bytes(article_pdf)
    assert cli.main(["corpus", "add", str(pdf), "--corpus", str(corpus), "--url", "https://example.org/r.pdf"]) == 0
    assert capsys.readouterr().out.startswith(f"Added defectors-report.md to {corpus}: 2 documents, 26 passages.")
    bundle = tmp_path / "export.zip"
    with zipfile.ZipFile(bundle, "w") as made:
        made.writestr("faq.md", "# FAQ\n\nAsk in the help channel and a moderator answers within a day.\n")
        made.writestr("../escape.md", "# No\n\nText.\n")
    assert cli.main(["corpus", "add", str(bundle), "--corpus", str(corpus)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"Added 1 document(s) from export.zip to {corpus}: 3 documents, 27 passages.")
    assert captured.err == "quotebot: not added from export.zip: ../escape.md (its path leads outside the folder)\n"


@pytest.mark.parametrize(
    "source, error",
    [
        ("http://127.0.0.1:9/page", "quotebot: the link is 127.0.0.1, a loopback address: quotebot fetches public addresses only"),
        ("gopher://example.org/x", "quotebot: the link is not an http:// or https:// link"),
        ("missing.pdf", "quotebot: cannot read missing.pdf (No such file or directory)"),
        ("notes.docx", "quotebot: cannot read notes.docx (No such file or directory)"),
    ],
)
def test_refusals_are_one_line_and_add_nothing(corpus, source, error, capsys):
    before = sorted(corpus.iterdir())
    assert cli.main(["corpus", "add", source, "--corpus", str(corpus)]) == 2
    assert capsys.readouterr().err == error + "\n"
    assert sorted(corpus.iterdir()) == before


def test_a_file_of_another_kind_is_refused(corpus, tmp_path, capsys):
    sheet = tmp_path / "roster.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    assert cli.main(["corpus", "add", str(sheet), "--corpus", str(corpus)]) == 2
    assert capsys.readouterr().err == "quotebot: only .md, .txt, .html, .htm, .pdf, .docx files (or a .zip of them) can be added\n"


def test_the_shipped_corpus_is_never_written(clean_env, article_html, tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_bytes(article_html)
    assert cli.main(["corpus", "add", str(page)]) == 2
    assert "the shipped corpus is never written to" in capsys.readouterr().err
