"""PDFs: text by page, paragraphs and headings from the layout; broken, locked and scanned ones refused."""

from __future__ import annotations

import io

import pytest
from fpdf import FPDF

from quotebot.retrieval import CorpusError
from quotebot.retrieval.ingest.formats.pdf import extract

RULE = (
    "Every member of the club must renew their membership before the first of March, paying the fee set by the "
    "committee at the annual meeting; members who renew late lose their place on the match roster for a month. "
)


def _pdf(build, **encryption: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_font("helvetica", size=11)
    build(pdf)
    if encryption:
        pdf.set_encryption(**encryption)
    return bytes(pdf.output())


def test_a_paragraph_running_over_a_page_break_is_joined_and_each_page_start_recorded():
    def build(pdf: FPDF) -> None:
        pdf.add_page()
        pdf.set_font("helvetica", "B", 16)
        pdf.multi_cell(0, 8, "Club rules", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=11)
        pdf.multi_cell(0, 5, RULE * 30, new_x="LMARGIN", new_y="NEXT")  # longer than the page

    extracted = extract(_pdf(build))
    paragraphs = extracted.body.strip().split("\n\n")
    assert paragraphs[0] == "## Club rules"
    assert paragraphs[1] == " ".join((RULE * 30).split())  # one paragraph across the break
    pages = extracted.metadata["pages"]
    assert len(pages) == 2 and pages[0] == 0
    assert "the first of March" in extracted.body[pages[1]:]


def test_a_pdf_with_no_text_layer_is_refused_as_a_likely_scan():
    def build(pdf: FPDF) -> None:
        pdf.add_page()
        pdf.rect(20, 20, 100, 150, style="F")  # what a scanned page is to a text extractor: marks, no text

    with pytest.raises(CorpusError, match=r"^the PDF has no text to quote \(a scan\?"):
        extract(_pdf(build))


def test_an_encrypted_pdf_is_refused():
    def build(pdf: FPDF) -> None:
        pdf.add_page()
        pdf.multi_cell(0, 5, RULE)

    with pytest.raises(CorpusError, match="^the PDF is encrypted"):
        extract(_pdf(build, owner_password="owner", user_password="secret"))


@pytest.mark.parametrize("raw", [b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF", b"not a pdf at all", b""])
def test_a_broken_pdf_is_refused_in_one_line(raw):
    with pytest.raises(CorpusError, match=r"^not a readable PDF \(\w+\)$"):
        extract(raw)


def test_the_article_pdf_names_its_title_and_author_once(article_pdf):
    extracted = extract(article_pdf)
    assert extracted.metadata["title"] == "Number of North Korean Defectors Declines"
    assert extracted.metadata["author"] == "Robert R. King"
    assert extracted.body.startswith("North Korean “defectors” or refugees")  # title heading and byline not repeated
    assert io.BytesIO(article_pdf).read(5) == b"%PDF-"


class _Handbook(FPDF):
    """A club handbook as offices print them: a running header and "Page N of M" on every page."""

    def header(self) -> None:
        self.set_font("helvetica", "I", 9)
        self.cell(0, 8, "Riverside Chess Club - Member handbook 2024", new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", "I", 9)
        self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")


def test_page_numbers_and_running_headers_are_left_out_and_paragraphs_joined_across_them():
    pdf = _Handbook(format="A4")
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 5, RULE * 60, new_x="LMARGIN", new_y="NEXT")
    extracted = extract(bytes(pdf.output()))
    assert len(extracted.metadata["pages"]) >= 3
    assert "Member handbook" not in extracted.body and "Page " not in extracted.body
    # Page 1 ends inside a sentence ("…the fee set by the"): the paragraph runs on past the footer and header.
    assert "set by the committee" in extracted.body[extracted.metadata["pages"][1] - 40:]
    assert "set by the\n\ncommittee" not in extracted.body
