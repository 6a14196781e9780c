"""The article as its web page and as a PDF, against the hand-cleaned ``corpus/`` document it was made from.

The page (``tests/data/documents/defectors-article.html``) is the raw capture
in ``../shared/seed/`` laid out as the blog carried it; nobody here cleaned
it. Its passages must be the hand-cleaned document's, but for the differences
listed here, and nothing of the page's navigation, widgets or comments may
be indexed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quotebot.retrieval import LiveEngine, load_folder
from quotebot.retrieval.ingest.passages import split_document
from quotebot.retrieval.ingest.store import save_upload
from tests.conftest import SHIPPED_ARTICLE, SHIPPED_CORPUS

PHOTO_CREDIT = "Photo from the PBS NewsHour’s photostream on flickr Creative Commons."
# The last paragraph before the PDF's page 3, which the PDF cannot tell from a paragraph running on.
PAGE_BREAK_PARAGRAPH_END = "a difference of about $500."
PAGE_FURNITURE = (
    "Categorized", "slider", "Home", "Our Authors", "Korea Kontext Podcast", "Search the blog", "Share this",
    "Twitter", "Facebook", "LinkedIn", "Print Friendly", "Responses to", "Pingback", "News roundup",
    "defectors were not a major factor in the election results", "Claiming that the defector acquired the coronavirus",
    "Leave a Reply", "Post Comment", "email address will not be published", "Recent Posts",
    "The Peninsula blog is a project", "All rights reserved", "Privacy Policy", "Terms of Use",
)


def _passages(folder: Path) -> list[tuple[str | None, str]]:
    (document,) = load_folder(folder).documents
    return [(passage.section, passage.text) for passage in split_document(document)]


def _added(tmp_path: Path, name: str, raw: bytes) -> Path:
    folder = tmp_path / name.replace(".", "-")
    folder.mkdir()
    save_upload(folder, name, raw, url=f"https://example.org/{name}", max_bytes=len(raw))
    return folder


@pytest.fixture
def hand_cleaned() -> list[tuple[str | None, str]]:
    return _passages(SHIPPED_CORPUS)


def test_the_web_page_gives_the_hand_cleaned_passages_but_for_the_photo_credit(tmp_path, article_html, hand_cleaned):
    extracted = _passages(_added(tmp_path, "defectors-article.html", article_html))
    assert len(extracted) == len(hand_cleaned) == 25
    assert extracted[:-1] == hand_cleaned[:-1]  # every section and passage, word for word
    # The one difference: the photo credit under the author's note, which the hand-cleaned copy left out.
    assert extracted[-1] == (hand_cleaned[-1][0], hand_cleaned[-1][1] + "\n\n" + PHOTO_CREDIT)


def test_the_web_page_keeps_its_metadata_and_none_of_its_furniture(tmp_path, article_html):
    folder = _added(tmp_path, "defectors-article.html", article_html)
    (document,) = load_folder(folder).documents
    (shipped,) = [d for d in load_folder(SHIPPED_CORPUS).documents if d.id == SHIPPED_ARTICLE]
    assert (document.title, document.author, document.publication) == (shipped.title, shipped.author, "The Peninsula")
    assert document.date is None  # the page states none; a year in a sidebar link is no publication date
    live = LiveEngine(folder)
    live.load()
    indexed = "\n".join(passage.text for passage in live.engine.passages)
    assert [words for words in PAGE_FURNITURE if words in indexed] == []
    assert (folder / "defectors-article.html").read_bytes() == article_html  # the original, kept beside


def test_the_pdf_gives_the_hand_cleaned_passages_but_for_a_page_break_and_the_photo_credit(
    tmp_path, article_pdf, hand_cleaned
):
    extracted = _passages(_added(tmp_path, "defectors-article.pdf", article_pdf))
    differing = [index for index, passage in enumerate(extracted) if passage not in hand_cleaned]
    assert len(extracted) == 25
    assert [extracted[index][1][:39] for index in differing] == [
        "Recent Ministry of Unification data rep",  # split in two paragraphs at the page break after "$500."
        "Public support in South Korea for the p",  # the photo credit again
    ]
    split = extracted[differing[0]][1]
    assert split.replace(PAGE_BREAK_PARAGRAPH_END + "\n\n", PAGE_BREAK_PARAGRAPH_END + " ") in {t for _, t in hand_cleaned}
    assert [section for section, _ in extracted] == [section for section, _ in hand_cleaned]


def test_every_pdf_passage_knows_its_page(tmp_path, article_pdf):
    from quotebot.retrieval import quote_page

    folder = _added(tmp_path, "defectors-article.pdf", article_pdf)
    (document,) = load_folder(folder).documents
    passages = split_document(document)
    pages = [quote_page(passage, passage.text) for passage in passages]
    assert pages[0] == 1 and pages[-1] == 5 and pages == sorted(pages)
    (soldier,) = [p for p in passages if "shot five times" in p.text]
    assert quote_page(soldier, "A North Korean soldier who attempted to cross the DMZ") == 2


def test_the_word_document_gives_the_hand_cleaned_passages_but_for_the_photo_credit(
    tmp_path, article_docx, hand_cleaned
):
    extracted = _passages(_added(tmp_path, "defectors-article.docx", article_docx))
    assert extracted[:-1] == hand_cleaned[:-1]
    assert extracted[-1] == (hand_cleaned[-1][0], hand_cleaned[-1][1] + "\n\n" + PHOTO_CREDIT)
