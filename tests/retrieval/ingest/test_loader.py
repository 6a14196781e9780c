"""Loading corpus folders: metadata, ids, ordering, and bad files skipped by name with a reason."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from quotebot.retrieval.ingest import loader as corpus_loader
from quotebot.retrieval.ingest.loader import CorpusError, LoadReport, load_folder, parse_document
from quotebot.retrieval.ingest.models import Document
from tests.conftest import SHIPPED_ARTICLE, CorpusWriter

GOOD = "A good document about zebrafish.\n"


def only_document(report: LoadReport) -> Document:
    assert len(report.documents) == 1, report
    return report.documents[0]


def problems_by_name(report: LoadReport) -> dict[str, str]:
    return {problem.path.name: problem.reason for problem in report.problems}


# --- front matter and titles ---------------------------------------------------------------------


def test_front_matter_fields_are_read_and_other_keys_kept_in_extra(write_corpus: CorpusWriter) -> None:
    folder = write_corpus(
        {
            "article.md": (
                "---\n"
                "title: Zebrafish Today\n"
                "author: Ada Lovelace\n"
                "publication: Fish Weekly\n"
                "publisher: Aquarium Press\n"
                "url: https://example.org/zebrafish\n"
                "date: 2020-01-15\n"
                "tags: [fish, science]\n"
                "rating: 5\n"
                "---\n"
                "\n"
                "Zebrafish have stripes.\n"
            )
        }
    )
    document = only_document(load_folder(folder))
    assert document.id == "article.md"
    assert document.title == "Zebrafish Today"
    assert document.author == "Ada Lovelace"
    assert document.publication == "Fish Weekly"
    assert document.publisher == "Aquarium Press"
    assert document.url == "https://example.org/zebrafish"
    # YAML reads an unquoted date as a date; the document keeps it as ISO text.
    assert document.date == "2020-01-15"
    assert document.extra == {"tags": ["fish", "science"], "rating": 5}
    assert document.body.strip() == "Zebrafish have stripes."
    assert "---" not in document.body and "title:" not in document.body


def test_missing_metadata_is_none_and_blank_values_count_as_missing() -> None:
    document = parse_document("a.md", b"---\ntitle: T\nauthor: '  '\nurl:\n---\nText.\n")
    assert (document.author, document.publication, document.publisher, document.url, document.date) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert document.extra == {}


def test_non_string_metadata_values_become_text() -> None:
    document = parse_document("a.md", b"---\ntitle: 1984\ndate: 2019-11-05\n---\nText.\n")
    assert document.title == "1984"
    assert document.date == str(datetime.date(2019, 11, 5))


def test_title_falls_back_to_first_heading() -> None:
    document = parse_document("notes.md", b"Intro line without heading.\n\n## The First Heading ##\n\nText.\n")
    assert document.title == "The First Heading"


def test_title_falls_back_to_front_matter_first_then_heading() -> None:
    document = parse_document("notes.md", b"---\nauthor: X\n---\n# Heading Title\n\nText.\n")
    assert document.title == "Heading Title"
    assert document.author == "X"


def test_title_falls_back_to_file_name() -> None:
    assert parse_document("sub/north-korea_2019.txt", b"No heading here.\n").title == "North korea 2019"
    # Only the first letter changes case: acronyms in file names survive.
    assert parse_document("NATO-report.md", b"Plain text.\n").title == "NATO report"


# --- folders, ids, order -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "ids"),
    [
        pytest.param(
            {
                "b.md": GOOD,
                "a.txt": GOOD,
                "c/nested/deep.md": GOOD,
                "c/inner.MD": GOOD,
                "notes.rst": GOOD,
                "image.png": b"\x89PNG\r\n",
                "README": GOOD,
            },
            ["a.txt", "b.md", "c/inner.MD", "c/nested/deep.md"],
            id="md-and-txt-sorted-with-posix-relative-ids",
        ),
        pytest.param(
            {"visible.md": GOOD, ".cache/index.md": GOOD, ".hidden.md": GOOD, "sub/.git/notes.md": GOOD},
            ["visible.md"],
            id="hidden-files-and-folders-skipped",
        ),
    ],
)
def test_loads_the_right_files_in_order_with_their_ids(
    write_corpus: CorpusWriter, files: dict[str, str | bytes], ids: list[str]
) -> None:
    report = load_folder(write_corpus(files))
    assert [document.id for document in report.documents] == ids
    assert report.problems == ()


def test_ids_are_stable_across_loads_and_fingerprints_follow_content(write_corpus: CorpusWriter) -> None:
    folder = write_corpus({"x.md": "One.\n", "y.md": "Two.\n"})
    first, second = load_folder(folder), load_folder(folder)
    assert [d.id for d in first.documents] == [d.id for d in second.documents]
    assert [d.fingerprint for d in first.documents] == [d.fingerprint for d in second.documents]
    (folder / "x.md").write_text("One, edited.\n", encoding="utf-8")
    third = load_folder(folder)
    assert third.documents[0].fingerprint != first.documents[0].fingerprint
    assert third.documents[1].fingerprint == first.documents[1].fingerprint


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="corpus folder not found") as raised:
        load_folder(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in str(raised.value)


def test_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"no usable \.md or \.txt documents in"):
        load_folder(tmp_path)


def test_folder_of_only_bad_files_names_the_first_and_why(write_corpus: CorpusWriter) -> None:
    folder = write_corpus({"a.md": b"---\ntitle: [oops\n---\nText\n", "b.md": b"\xff\xfe\x00"})
    with pytest.raises(CorpusError) as raised:
        load_folder(folder)
    assert str(raised.value) == (
        f"no usable .md or .txt documents in {folder}; skipped a.md: front matter is not valid YAML (line 3)"
        " (and 1 more file(s) skipped)"
    )


# --- bad files: reported by name with a reason, the rest load -------------------------------------

BAD_FILES: dict[str, tuple[bytes, str]] = {
    "latin1.md": ("Caf\xe9 au lait.\n".encode("latin-1"), "not UTF-8"),
    "utf16.md": ("Hello\n".encode("utf-16"), "not UTF-8"),
    "binary.txt": (b"PK\x03\x04\x00\x00binary", "binary"),
    "broken_yaml.md": (b"---\ntitle: [unclosed\nauthor: X\n---\nBody.\n", "not valid YAML"),
    "unclosed.md": (b"---\ntitle: Never closed\n\nBody text.\n", "not closed"),
    "unclosed_spaces.md": (b"--- \ntitle: Never closed\n\nBody text.\n", "not closed"),
    "list_front_matter.md": (b"---\n- a\n- b\n---\nBody.\n", "must be a mapping"),
    "scalar_front_matter.md": (b"---\njust a sentence\n---\nBody.\n", "must be a mapping"),
    "empty.md": (b"", "empty"),
    "blank.txt": (b"  \n\n\t\n", "empty"),
    "only_front_matter.md": (b"---\ntitle: Nothing else\n---\n", "only front matter"),
    "only_empty_front_matter.md": (b"---\n---\n\n", "only front matter"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_reported_by_name_and_skipped(write_corpus: CorpusWriter, name: str) -> None:
    content, reason = BAD_FILES[name]
    folder = write_corpus({"good.md": GOOD, name: content, "zzz.md": "Last one.\n"})
    report = load_folder(folder)
    assert [document.id for document in report.documents] == ["good.md", "zzz.md"]
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.path == folder / name
    assert reason in problem.reason


def test_all_bad_files_together_each_reported_once(write_corpus: CorpusWriter) -> None:
    folder = write_corpus({"good.md": GOOD, **{name: content for name, (content, _) in BAD_FILES.items()}})
    report = load_folder(folder)
    assert [document.id for document in report.documents] == ["good.md"]
    reasons = problems_by_name(report)
    assert sorted(reasons) == sorted(BAD_FILES)
    for name, (_, reason) in BAD_FILES.items():
        assert reason in reasons[name], (name, reasons[name])


def test_bad_yaml_reason_gives_the_file_line(write_corpus: CorpusWriter) -> None:
    folder = write_corpus({"good.md": GOOD, "bad.md": b"---\ntitle: ok\nauthor: [unclosed\n---\nBody.\n"})
    reason = problems_by_name(load_folder(folder))["bad.md"]
    assert reason.startswith("front matter is not valid YAML (line ")


def test_non_utf8_reason_gives_the_byte_offset() -> None:
    with pytest.raises(CorpusError, match=r"not UTF-8 \(bad byte at offset 3\)"):
        parse_document("x.md", b"Caf\xe9")


def test_too_large_file_is_skipped_with_the_limit_in_the_reason(
    write_corpus: CorpusWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus_loader, "MAX_DOCUMENT_BYTES", 100)
    folder = write_corpus({"small.md": "Small enough.\n", "huge.md": "word " * 100})
    report = load_folder(folder)
    assert [document.id for document in report.documents] == ["small.md"]
    assert problems_by_name(report) == {"huge.md": "larger than the 100 bytes limit"}
    with pytest.raises(CorpusError, match="larger than the 100 bytes limit"):
        parse_document("huge.md", b"x" * 101)


def test_default_size_limit_is_reported_in_mib() -> None:
    with pytest.raises(CorpusError, match="larger than the 5 MiB limit"):
        parse_document("huge.md", b"x" * (corpus_loader.MAX_DOCUMENT_BYTES + 1))


# --- encodings and line endings ------------------------------------------------------------------


def test_crlf_file_loads_like_lf(write_corpus: CorpusWriter) -> None:
    lf = "---\ntitle: Line Endings\nauthor: Someone\n---\n\nFirst paragraph.\n\n## Part\n\nSecond paragraph.\n"
    folder = write_corpus({"lf.md": lf, "crlf.md": lf.replace("\n", "\r\n"), "cr.md": lf.replace("\n", "\r")})
    documents = {document.id: document for document in load_folder(folder).documents}
    assert set(documents) == {"lf.md", "crlf.md", "cr.md"}
    for name in ("crlf.md", "cr.md"):
        assert documents[name].title == "Line Endings"
        assert documents[name].author == "Someone"
        assert documents[name].body == documents["lf.md"].body
        assert "\r" not in documents[name].body


def test_utf8_bom_is_ignored_before_front_matter(write_corpus: CorpusWriter) -> None:
    folder = write_corpus({"bom.md": b"\xef\xbb\xbf---\ntitle: With BOM\n---\nS\xc3\xa9oul text.\n"})
    document = only_document(load_folder(folder))
    assert document.title == "With BOM"
    assert document.body == "Séoul text.\n"
    assert "\ufeff" not in document.body


def test_non_ascii_text_survives(write_corpus: CorpusWriter) -> None:
    folder = write_corpus({"k.md": "# 탈북자\n\nКорея — “quoted” 脱北者 😀\n"})
    document = only_document(load_folder(folder))
    assert document.title == "탈북자"
    assert "Корея — “quoted” 脱北者 😀" in document.body


# --- the shipped corpus --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_article() -> Document:
    from tests.conftest import SHIPPED_CORPUS

    report = load_folder(SHIPPED_CORPUS)
    assert report.problems == ()
    return {document.id: document for document in report.documents}[SHIPPED_ARTICLE]


def test_shipped_article_metadata(shipped_article: Document) -> None:
    assert shipped_article.id == SHIPPED_ARTICLE
    assert shipped_article.title == "Number of North Korean Defectors Declines"
    assert shipped_article.author == "Robert R. King"
    assert shipped_article.publication == "The Peninsula"
    assert shipped_article.publisher == "Korea Economic Institute of America"
    # The page gives no URL or date; none may be invented.
    assert shipped_article.url is None
    assert shipped_article.date is None


def test_shipped_article_has_its_three_section_headings_in_order(shipped_article: Document) -> None:
    headings = [line[3:] for line in shipped_article.body.splitlines() if line.startswith("## ")]
    assert headings == [
        "North Korean Policy to Discourage Defections",
        "Conditions in the South for Defectors",
        "North-South Rapprochement and Impact on Seoul’s Attitude toward Defectors",
    ]


def test_shipped_article_text_is_the_article(shipped_article: Document) -> None:
    body = shipped_article.body
    assert body.lstrip().startswith("North Korean “defectors” or refugees are one of the most visible")
    for fact in ("33,523", "2,914 in 2009", "1,047 last year", "74.2 percent", "Kim Jong-un", "U.S. Special Envoy"):
        assert fact in body


def test_shipped_article_ends_with_the_author_bio(shipped_article: Document) -> None:
    last_paragraph = shipped_article.body.strip().split("\n\n")[-1]
    assert last_paragraph == (
        "Robert R. King is a Non-Resident Fellow at the Korea Economic Institute of America. "
        "He is former U.S. Special Envoy for North Korea Human Rights. The views expressed here are his own."
    )


@pytest.mark.parametrize(
    "chrome",
    [
        "Print Friendly",
        "PDF & Email",
        "Categorized",
        "Responses to",
        "Photo from",
        "Leave a Reply",
        "About The Peninsula",
    ],
)
def test_shipped_article_has_no_web_chrome(shipped_article: Document, chrome: str) -> None:
    assert chrome.lower() not in shipped_article.body.lower()
