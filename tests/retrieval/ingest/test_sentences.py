"""Sentence boundaries: abbreviations, decimals and initials do not split; real boundaries and paragraphs do."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotebot.retrieval.ingest.sentences import sentence_spans, split_sentences


@pytest.mark.parametrize(
    "text",
    [
        "He is former U.S. Special Envoy for North Korea Human Rights.",
        "The U.S. Government and the U.N. Commission of Inquiry agreed.",
        "Mr. Kim met Mrs. Park and Ms. Lee yesterday.",
        "Dr. Lee said so on Jan. 5 in Seoul.",
        "Prof. Choi arrived on Sept. 12 or Feb. 3, nobody knows.",
        "Satisfaction increased to 74.2 percent, which was 1.7 percent above the previous year.",
        "Robert R. King is a Non-Resident Fellow at the Korea Economic Institute of America.",
        "J. R. R. Tolkien wrote it in Washington, D.C. with help.",
        "Fish, e.g. zebrafish, i.e. small ones, swim.",
    ],
)
def test_abbreviations_decimals_and_initials_do_not_split(text: str) -> None:
    assert split_sentences(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four.", ["One.", "Two!", "Three?", "Four."]),
        (
            "He is former U.S. Special Envoy for North Korea Human Rights. The views expressed here are his own.",
            ["He is former U.S. Special Envoy for North Korea Human Rights.", "The views expressed here are his own."],
        ),
        ("Mr. Kim met Dr. Lee on Jan. 5. They talked.", ["Mr. Kim met Dr. Lee on Jan. 5.", "They talked."]),
        ("It rose to 74.2 percent. That was new.", ["It rose to 74.2 percent.", "That was new."]),
        ("Robert R. King wrote it. He lives in D.C. now.", ["Robert R. King wrote it.", "He lives in D.C. now."]),
        ("He said “go home.” Then he left.", ["He said “go home.”", "Then he left."]),
        ("Was it 2019? Yes (mostly). Fine.", ["Was it 2019?", "Yes (mostly).", "Fine."]),
    ],
)
def test_real_boundaries_split(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_shipped_bio_is_three_sentences() -> None:
    bio = (
        "Robert R. King is a Non-Resident Fellow at the Korea Economic Institute of America. "
        "He is former U.S. Special Envoy for North Korea Human Rights. The views expressed here are his own."
    )
    assert split_sentences(bio) == [
        "Robert R. King is a Non-Resident Fellow at the Korea Economic Institute of America.",
        "He is former U.S. Special Envoy for North Korea Human Rights.",
        "The views expressed here are his own.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A heading without a period\n\nThe text under it.", ["A heading without a period", "The text under it."]),
        ("It ends in the U.S.\n\nThe next paragraph.", ["It ends in the U.S.", "The next paragraph."]),
        ("Ask Mr.\n\nSmith", ["Ask Mr.", "Smith"]),
        ("First\n \t\nsecond after a line of spaces", ["First", "second after a line of spaces"]),
        ("One\n\n\n\nTwo\n\nThree", ["One", "Two", "Three"]),
    ],
)
def test_paragraph_breaks_always_split(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_single_line_break_does_not_split_a_sentence() -> None:
    text = "A sentence wrapped\nover two lines. Next."
    assert split_sentences(text) == ["A sentence wrapped\nover two lines.", "Next."]


def test_spans_map_back_to_the_text_exactly() -> None:
    text = "  Mr. Kim left in 2019.  He went to the U.S. later!\n\n\tA new paragraph? Yes.  "
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "Mr. Kim left in 2019.",
        "He went to the U.S. later!",
        "A new paragraph?",
        "Yes.",
    ]
    assert spans[0] == (2, 23)
    assert split_sentences(text) == [text[a:b] for a, b in spans]


@pytest.mark.parametrize("text", ["", " ", "\n\n", " \n \n\t"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert sentence_spans(text) == []


_PIECES = ["Mr.", "U.S.", "74.2", "R.", "word", "Word", ".", "!", "?", "”", " ", " ", "\n", "\n\n", "\n \n", "é", "😀"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join) | st.text(max_size=200))
def test_spans_are_ordered_stripped_and_cover_every_visible_character(text: str) -> None:
    spans = sentence_spans(text)
    covered: set[int] = set()
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        sentence = text[start:end]
        assert sentence == sentence.strip()
        covered.update(range(start, end))
        previous_end = end
    assert all(i in covered for i, char in enumerate(text) if not char.isspace())
