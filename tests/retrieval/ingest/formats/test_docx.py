"""Word documents: paragraphs, heading styles as sections, lists and tables; properties as metadata."""

from __future__ import annotations

import io

import docx
import pytest

from quotebot.retrieval import CorpusError
from quotebot.retrieval.ingest.formats.docx import extract


def _document(build) -> bytes:  # type: ignore[no-untyped-def]
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_headings_lists_and_tables_come_out_as_the_loader_reads_them():
    def build(document) -> None:  # type: ignore[no-untyped-def]
        document.core_properties.title = "Raid handbook"
        document.core_properties.author = "The officers"
        document.add_heading("Raid handbook", level=0)
        document.add_paragraph("Raids start at eight in the evening, server time, three nights a week.")
        document.add_heading("Loot rules", level=1)
        document.add_paragraph("Attendance counts for half of the priority score.", style="List Bullet")
        document.add_paragraph("Consumables come from the guild bank.", style="List Bullet")
        table = document.add_table(rows=2, cols=2)
        for row, (role, level) in enumerate((("Tank", "610"), ("Healer", "610"))):
            table.cell(row, 0).text, table.cell(row, 1).text = role, level
        document.add_paragraph("")

    extracted = extract(_document(build))
    assert extracted.metadata == {"title": "Raid handbook", "author": "The officers"}
    assert extracted.body.endswith("\n")
    assert extracted.body.rstrip("\n").split("\n\n") == [
        "Raids start at eight in the evening, server time, three nights a week.",  # the title heading: in front matter
        "## Loot rules",
        "- Attendance counts for half of the priority score.",
        "- Consumables come from the guild bank.",
        "Tank | 610",
        "Healer | 610",  # equal cells both kept; only a merged cell is one
    ]


def test_the_article_as_a_word_processor_saved_it(article_docx):
    extracted = extract(article_docx)
    assert extracted.metadata == {"title": "Number of North Korean Defectors Declines", "author": "Robert R. King"}
    assert extracted.body.startswith("North Korean “defectors”")  # title heading and byline: in front matter
    assert "## Conditions in the South for Defectors" in extracted.body


@pytest.mark.parametrize("raw", [b"PK\x03\x04 not a zip", b"", b"%PDF-1.4"])
def test_a_broken_document_is_refused_in_one_line(raw):
    with pytest.raises(CorpusError, match=r"^not a readable \.docx \(\w+\)$"):
        extract(raw)


def test_a_document_without_text_is_refused():
    with pytest.raises(CorpusError, match="^the document has no text to quote$"):
        extract(_document(lambda document: document.add_paragraph("   ")))
