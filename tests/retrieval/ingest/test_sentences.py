"""Sentence boundaries: abbreviations, decimals and initials do not split; real boundaries and paragraphs do; Punkt's own."""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections.abc import Callable

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotebot.retrieval.ingest import sentences
from quotebot.retrieval.ingest.sentences import sentence_spans, split_sentences
from tests.conftest import SHIPPED_CORPUS, SQUAD_FOLDER


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


# --- The same decisions as nltk's Punkt, configured as this project always configured it. ---

_PUNKT_PIECES = [
    "Mr.", "mr.", "U.S.", "u.s.a.", "74.2", "1.", "2019.", "R.", "É.", "x.", "word", "Word", "WORD", "é", ".", "!", "?",
    "!!", "?!", "...", "..", ". . .", "”", "“", '"', "'", "’", ")", "(", "]", "[", "{", "}", ";", ":", ",", "@", "*",
    "-", "--", " ", " ", "  ", "\n", "\n\n", "\t", "\x0b", "\x0c", "\r", "\u00a0", "\u2028", "\u3000", "\x1c", "😀",
    "St.", "No.", "e.g.", "etc.", "Ph.D.", "J.", "Bach", "a.m.", "vs.", "x-mr.", "5.", "-3.", ".5", "1,000.", "«", "»",
    "‘", "(a)", "A", "a", "1",
]


@pytest.fixture(scope="module")
def punkt_spans() -> Callable[[str], list[tuple[int, int]]]:
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    parameters = PunktParameters()
    parameters.abbrev_types = set(sentences._ABBREVIATIONS)
    punkt = PunktSentenceTokenizer(parameters)

    def spans(text: str) -> list[tuple[int, int]]:
        blocks = sentences._line_blocks(text)
        return [(start + a, start + b) for start, end in blocks for a, b in punkt.span_tokenize(text[start:end])]

    return spans


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from(_PUNKT_PIECES), max_size=40).map("".join)
    | st.text(max_size=100)
    | st.text(alphabet=".?! \n\"')(Aa1é,;:", max_size=40)
)
def test_sentences_are_exactly_punkts(punkt_spans: Callable[[str], list[tuple[int, int]]], text: str) -> None:
    assert sentence_spans(text) == punkt_spans(text)


def test_every_squad_paragraph_and_shipped_document_splits_exactly_as_punkt_splits_it(
    punkt_spans: Callable[[str], list[tuple[int, int]]],
) -> None:
    texts = [path.read_text(encoding="utf-8") for path in SHIPPED_CORPUS.glob("*.md")]
    for path in sorted(SQUAD_FOLDER.glob("*.json.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            articles = json.load(handle)["data"]
        texts.extend(paragraph["context"] for article in articles for paragraph in article["paragraphs"])
    assert len(texts) > 800  # the shipped documents and every paragraph of both SQuAD files (839)
    assert [text for text in texts if sentence_spans(text) != punkt_spans(text)] == []


def test_the_fast_patterns_mean_by_white_space_what_punkts_patterns_mean() -> None:
    every_character = "".join(chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code < 0xE000)
    assert re.findall(f"[{sentences.WHITE_SPACE}]", every_character) == regex.findall(r"\s", every_character)
