"""Documents to passages: exact offsets, whole sentences, sensible sizes, sections and paragraph numbers."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotebot.retrieval.ingest.loader import load_folder
from quotebot.retrieval.ingest.models import Document, Passage
from quotebot.retrieval.ingest.passages import MAX_WORDS, MIN_WORDS, split_document
from quotebot.retrieval.ingest.sentences import sentence_spans
from tests.conftest import SHIPPED_ARTICLE, SHIPPED_CORPUS


def sentence(words: int, tag: str = "w") -> str:
    """A sentence of exactly ``words`` words (the last one carries the full stop)."""
    return " ".join(f"{tag}{i}" for i in range(words - 1)) + f" {tag}end." if words > 1 else f"{tag}end."


def paragraph(*sizes: int, tag: str = "w") -> str:
    return " ".join(sentence(size, f"{tag}{n}x") for n, size in enumerate(sizes))


def document(body: str, doc_id: str = "doc.md") -> Document:
    return Document(id=doc_id, title="Test", body=body)


def word_count(text: str) -> int:
    return len(text.split())


def paragraph_spans(body: str) -> list[tuple[int, int]]:
    """Stripped spans of the body's paragraphs: runs of non-blank lines, a heading line on its own."""
    spans: list[tuple[int, int]] = []
    current: list[tuple[int, int]] = []
    offset = 0
    for line in body.split("\n") + [""]:
        start = offset + len(line) - len(line.lstrip())
        end = offset + len(line.rstrip())
        offset += len(line) + 1
        is_heading = re.match(r"#{1,6}[ \t]", line.strip()) is not None
        if not line.strip() or is_heading:
            if current:
                spans.append((current[0][0], current[-1][1]))
                current = []
            if is_heading:
                spans.append((start, end))
            continue
        current.append((start, end))
    return spans


def sentence_boundaries(body: str) -> tuple[set[int], set[int]]:
    """Where sentences start and end, computed paragraph by paragraph as passages are."""
    starts: set[int] = set()
    ends: set[int] = set()
    for p_start, p_end in paragraph_spans(body):
        for a, b in sentence_spans(body[p_start:p_end]):
            starts.add(p_start + a)
            ends.add(p_start + b)
    return starts, ends


def assert_well_formed(doc: Document, passages: list[Passage]) -> None:
    """The invariants every split must keep, whatever the document."""
    starts, ends = sentence_boundaries(doc.body)
    for number, passage in enumerate(passages, start=1):
        assert passage.id == f"{doc.id}#{number}"
        assert passage.document is doc
        assert passage.text == doc.body[passage.start : passage.end]
        assert passage.text and passage.text == passage.text.strip()
        # Never cut inside a sentence: both ends are sentence boundaries.
        assert passage.start in starts, passage
        assert passage.end in ends, passage
        assert not re.search(r"^#{1,6}[ \t]", passage.text, re.MULTILINE), "a heading leaked into a passage"
    assert [p.start for p in passages] == sorted(p.start for p in passages)
    assert [p.paragraph for p in passages] == sorted(p.paragraph for p in passages)


# --- the shipped article -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def article() -> Document:
    return {d.id: d for d in load_folder(SHIPPED_CORPUS).documents}[SHIPPED_ARTICLE]


def test_shipped_article_passages_are_exact_whole_sentences(article: Document) -> None:
    passages = split_document(article)
    assert len(passages) >= 10
    assert_well_formed(article, passages)


def test_shipped_article_passages_are_60_to_200_words(article: Document) -> None:
    sizes = [word_count(p.text) for p in split_document(article)]
    assert all(MIN_WORDS <= size <= MAX_WORDS for size in sizes), sizes


def test_shipped_article_sections_follow_the_headings(article: Document) -> None:
    passages = split_document(article)
    sections = list(dict.fromkeys(p.section for p in passages))
    assert sections == [
        None,
        "North Korean Policy to Discourage Defections",
        "Conditions in the South for Defectors",
        "North-South Rapprochement and Impact on Seoul’s Attitude toward Defectors",
    ]
    first = passages[0]
    assert first.section is None and first.paragraph == 1
    assert first.text.startswith("North Korean “defectors” or refugees")
    kim = next(p for p in passages if "more aggressive since Kim Jong-un became leader" in p.text)
    assert kim.section == "North Korean Policy to Discourage Defections"


def test_shipped_article_bio_is_in_the_last_passage(article: Document) -> None:
    last = split_document(article)[-1]
    assert last.text.endswith("The views expressed here are his own.")
    assert last.section == "North-South Rapprochement and Impact on Seoul’s Attitude toward Defectors"


def test_shipped_article_covers_all_text(article: Document) -> None:
    covered = "".join(p.text for p in split_document(article))
    for span_start, span_end in paragraph_spans(article.body):
        text = article.body[span_start:span_end]
        if not text.startswith("## "):
            assert text in covered


# --- sizes, merging and splitting ----------------------------------------------------------------


def test_one_paragraph_document_gives_one_passage() -> None:
    body = "\n  " + paragraph(12, 9) + "\n\n"
    doc = document(body)
    passages = split_document(doc)
    assert len(passages) == 1
    only = passages[0]
    assert (only.id, only.section, only.paragraph) == ("doc.md#1", None, 1)
    assert only.text == body.strip()
    assert (only.start, only.end) == (3, 3 + len(body.strip()))


def test_one_sentence_document_gives_one_passage() -> None:
    passages = split_document(document("Zebrafish have stripes."))
    assert [p.text for p in passages] == ["Zebrafish have stripes."]


def test_short_paragraphs_merge_until_60_words() -> None:
    paragraphs = [paragraph(15, 15, tag=f"p{n}") for n in range(6)]  # 30 words each
    doc = document("\n\n".join(paragraphs))
    passages = split_document(doc)
    assert_well_formed(doc, passages)
    assert [word_count(p.text) for p in passages] == [60, 60, 60]
    assert [p.paragraph for p in passages] == [1, 3, 5]
    assert passages[0].text == paragraphs[0] + "\n\n" + paragraphs[1]


def test_short_tail_paragraph_joins_the_previous_passage() -> None:
    paragraphs = [paragraph(40, 40, tag="a"), paragraph(10, tag="b")]  # 80 words, then 10
    doc = document("\n\n".join(paragraphs))
    passages = split_document(doc)
    assert [p.text for p in passages] == ["\n\n".join(paragraphs)]


def test_medium_paragraphs_stay_whole() -> None:
    paragraphs = [paragraph(50, 50, tag=f"p{n}") for n in range(3)]  # 100 words each
    doc = document("\n\n".join(paragraphs))
    passages = split_document(doc)
    assert [p.text for p in passages] == paragraphs
    assert [p.paragraph for p in passages] == [1, 2, 3]


def test_long_paragraph_is_split_on_sentences_with_one_sentence_overlap() -> None:
    body = paragraph(*[30] * 16)  # 480 words, 16 sentences
    doc = document(body)
    passages = split_document(doc)
    assert_well_formed(doc, passages)
    assert len(passages) >= 3
    assert all(p.paragraph == 1 for p in passages)
    assert all(word_count(p.text) <= MAX_WORDS for p in passages)
    for before, after in itertools.pairwise(passages):
        last_sentence = [body[a:b] for a, b in sentence_spans(body) if before.start <= a and b <= before.end][-1]
        first_sentence = next(body[a:b] for a, b in sentence_spans(body) if after.start <= a and b <= after.end)
        assert last_sentence == first_sentence, "consecutive pieces overlap by exactly one sentence"
        assert after.start < before.end
    assert passages[0].start == 0 and passages[-1].end == len(body)


def test_split_never_repeats_a_sentence_alone() -> None:
    """150 + 40 + 180 words: the 40-word sentence must not become a passage of its own."""
    body = paragraph(150, 40, 180)
    doc = document(body)
    passages = split_document(doc)
    assert_well_formed(doc, passages)
    assert [word_count(p.text) for p in passages] == [190, 180]
    for a in passages:
        for b in passages:
            assert a is b or a.text not in b.text


def test_a_sentence_longer_than_the_maximum_is_kept_whole() -> None:
    body = paragraph(20, 250, 20)
    doc = document(body)
    passages = split_document(doc)
    assert_well_formed(doc, passages)
    assert any(word_count(p.text) == 250 for p in passages)


def test_passages_stay_within_60_to_200_words_for_ordinary_text() -> None:
    sizes = [45, 70, 130, 260, 20, 25, 90, 400, 60, 33]
    paragraphs = [paragraph(*[size // 5] * 5 if size >= 5 else [size], tag=f"p{n}") for n, size in enumerate(sizes)]
    doc = document("\n\n".join(paragraphs))
    passages = split_document(doc)
    assert_well_formed(doc, passages)
    word_sizes = [word_count(p.text) for p in passages]
    assert all(MIN_WORDS <= size <= MAX_WORDS for size in word_sizes), word_sizes


# --- sections, headings, paragraph numbers -------------------------------------------------------


def test_sections_come_from_headings_and_headings_are_not_passages() -> None:
    body = (
        "Intro paragraph sentence one. Sentence two.\n\n"
        "## First Section\n\n"
        "Text of the first section.\n\n"
        "## Second Section ##\n\n"
        "Text of the second. More of it.\n\n"
        "Another paragraph of the second.\n"
    )
    doc = document(body)
    passages = split_document(doc)
    assert_well_formed(doc, passages)
    assert [(p.section, p.paragraph) for p in passages] == [(None, 1), ("First Section", 2), ("Second Section", 3)]
    assert passages[2].text == "Text of the second. More of it.\n\nAnother paragraph of the second."
    assert all("Section" not in p.text for p in passages)


def test_short_sections_are_not_merged_across_headings() -> None:
    body = "## A\n\nOnly ten words are in this short section right here.\n\n## B\n\nAnd here a few more."
    passages = split_document(document(body))
    assert [(p.section, p.text) for p in passages] == [
        ("A", "Only ten words are in this short section right here."),
        ("B", "And here a few more."),
    ]


def test_heading_directly_above_its_text_still_names_the_section() -> None:
    body = "## Numbers\nThe text starts on the next line. It continues.\n## Words\nMore text."
    doc = document(body)
    passages = split_document(doc)
    assert_well_formed(doc, passages)
    assert [(p.section, p.text) for p in passages] == [
        ("Numbers", "The text starts on the next line. It continues."),
        ("Words", "More text."),
    ]


def test_heading_levels_and_hash_without_space() -> None:
    body = "# Title\n\nFirst.\n\n### Deep\n\n#hashtag is not a heading.\n"
    passages = split_document(document(body))
    assert [(p.section, p.text) for p in passages] == [("Title", "First."), ("Deep", "#hashtag is not a heading.")]


def test_document_of_only_headings_has_no_passages() -> None:
    assert split_document(document("## One\n\n## Two\n")) == []


def test_paragraph_numbers_count_paragraphs_not_headings() -> None:
    body = "\n\n".join(
        [paragraph(70, tag="a"), "## S", paragraph(70, tag="b"), paragraph(70, tag="c"), "## T", paragraph(70, tag="d")]
    )
    passages = split_document(document(body))
    assert [(p.section, p.paragraph) for p in passages] == [(None, 1), ("S", 2), ("S", 3), ("T", 4)]


def test_ids_use_the_document_id() -> None:
    doc = document("\n\n".join(paragraph(70, tag=t) for t in "abc"), doc_id="sub/dir/article.md")
    ids = [p.id for p in split_document(doc)]
    assert ids == ["sub/dir/article.md#1", "sub/dir/article.md#2", "sub/dir/article.md#3"]


# --- generated documents -------------------------------------------------------------------------

_words = st.sampled_from(["Kim", "Mr.", "U.S.", "74.2", "defectors", "Seoul", "the", "R.", "“quoted”", "1,047", "a"])
_sentences = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(_words, min_size=1, max_size=45),
    st.sampled_from([".", "!", "?"]),
)
_paragraphs = st.lists(_sentences, min_size=1, max_size=12).map(" ".join)
_blocks = st.one_of(_paragraphs, _paragraphs, _paragraphs, st.sampled_from(["## Heading", "## Other Section"]))


@settings(max_examples=30, deadline=None)
@given(st.lists(_blocks, min_size=1, max_size=10), st.sampled_from(["\n\n", "\n\n\n", "\n \n"]))
def test_generated_documents_keep_every_invariant(blocks: list[str], separator: str) -> None:
    body = separator.join(blocks) + "\n"
    doc = document(body)
    passages = split_document(doc)
    assert_well_formed(doc, passages)
    # All text is covered: every character of every non-heading paragraph is in some passage.
    covered: set[int] = set()
    for p in passages:
        covered.update(range(p.start, p.end))
    for start, end in paragraph_spans(body):
        if not body[start:end].startswith("## "):
            assert set(range(start, end)) <= covered
    # Passages never span a heading, so each lies inside one section.
    heading_offsets = [m.start() for m in re.finditer(r"^## ", body, re.MULTILINE)]
    for p in passages:
        assert not any(p.start < h < p.end for h in heading_offsets)
