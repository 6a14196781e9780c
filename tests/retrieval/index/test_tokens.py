"""``quotebot.retrieval.index.tokens.terms``: what counts as "the same word" for documents and questions alike."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotebot.retrieval.index.tokens import terms


def shared(a: str, b: str) -> set[str]:
    return set(terms(a)) & set(terms(b))


def test_lower_cases() -> None:
    assert terms("Seoul SEOUL seoul") == ["seoul", "seoul", "seoul"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("defectors", ["defector"]),
        ("Defectors defector", ["defector", "defector"]),
        ("resettled resettling resettles", ["resettl", "resettl", "resettl"]),
        ("refugees refugee", ["refuge", "refuge"]),
        ("policies policy", ["polici", "polici"]),
        ("declines declined declining", ["declin", "declin", "declin"]),
    ],
)
def test_stems_inflections_to_one_term(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


def test_stopwords_are_removed() -> None:
    assert terms("What is the number of the defectors in the South?") == ["number", "defector", "south"]
    assert terms("the of and") == []
    # Capitalised at a sentence start is still a stopword (only ALL-CAPS words may be acronyms).
    assert terms("The Of And A An") == []


def test_acronym_us_is_kept() -> None:
    assert "us" in terms("How many went to the US?")
    assert "us" in terms("the U.S. began accepting refugees")
    # "US" and "U.S." are the same term, so a question typed either way matches.
    assert shared("US policy", "U.S. policy") == {"us", "polici"}


def test_pronoun_us_is_dropped() -> None:
    assert "us" not in terms("Can you tell us about the refugees?")


def test_all_caps_question_has_the_same_terms_as_lower_case() -> None:
    question = "HOW MANY DEFECTORS RESETTLED IN SOUTH KOREA IN 2019?"
    assert terms(question) == terms(question.lower())


def test_markdown_underscore_italics_do_not_hide_the_word() -> None:
    assert terms("When do zebrafish _spawn_?") == terms("When do zebrafish spawn?")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,047", ["1047"]),
        ("1047", ["1047"]),
        ("33,523 defectors", ["33523", "defector"]),
        ("74.2 percent", ["74.2", "percent"]),
        ("in 2019.", ["2019"]),
        ("a peak of 2,914 in 2009", ["peak", "2914", "2009"]),
        ("US$1,720", ["us", "1720"]),
        ("$2,220", ["2220"]),
    ],
)
def test_numbers_survive(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


def test_number_with_and_without_thousands_separator_match() -> None:
    assert shared("1,047 people", "1047") == {"1047"}


HYPHEN_FORMS = ["Kim Jong-un", "Kim Jong un", "Kim Jongun", "kim jong-un"]


@pytest.mark.parametrize("question", HYPHEN_FORMS)
def test_hyphenated_name_matches_with_or_without_hyphen(question: str) -> None:
    """The document writes "Kim Jong-un"; a question may write it any of these ways."""
    document = set(terms("Kim Jong-un became leader in late 2011."))
    asked = set(terms(question))
    # Every term of the question's spelling of the name is found in the document.
    assert asked <= document
    assert len(asked) >= 2


@pytest.mark.parametrize("other", ["Kim Jong un", "Kim Jongun"])
def test_hyphenated_question_matches_unhyphenated_document(other: str) -> None:
    """The reverse direction: the question has the hyphen, the document does not."""
    assert shared("Kim Jong-un", other) - {"kim"}


def test_hyphenated_word_gives_its_parts_and_their_join() -> None:
    assert terms("Kim Jong-un") == ["kim", "jong", "un", "jongun"]
    assert terms("mid-1990s")[:2] == ["mid", "1990s"]


@pytest.mark.parametrize("apostrophe", ["'", "\u2019", "\u2018", "\u02bc"])
def test_possessives_and_curly_apostrophes(apostrophe: str) -> None:
    assert terms(f"Seoul{apostrophe}s support") == ["seoul", "support"]
    assert terms(f"the government{apostrophe}s decision") == ["govern", "decis"]


@pytest.mark.parametrize("apostrophe", ["'", "\u2019"])
def test_contracted_stopwords_are_dropped_whatever_the_apostrophe(apostrophe: str) -> None:
    assert terms(f"don{apostrophe}t it{apostrophe}s wasn{apostrophe}t") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("😀 emoji 🇰🇷", ["emoji"]),
        ("Дефекторы бежали", ["дефекторы", "бежали"]),
        ("脱北者", ["脱北者"]),
        ("탈북자", ["탈북자"]),
        ("ＳＥＯＵＬ", ["seoul"]),  # full-width letters fold to ASCII
        ("refugee\x00\x07\x1b[31m \u202edefectors\u200b", ["refuge", "31m", "defector"]),
        ("", []),
        ("   \n\t ", []),
        ("... -- ,,, '' ’’", []),
    ],
)
def test_other_scripts_emoji_and_control_characters(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


def test_long_input_is_handled() -> None:
    assert terms("defectors " * 10_000) == ["defector"] * 10_000


def test_markdown_and_mentions_reduce_to_words() -> None:
    assert terms("**bold** `code` ~~gone~~ > quoted @everyone <@123>") == [
        "bold",
        "code",
        "gone",
        "quot",
        "everyon",
        "123",
    ]


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_terms_never_raises_and_gives_non_empty_terms_without_whitespace(text: str) -> None:
    result = terms(text)
    assert isinstance(result, list)
    for term in result:
        assert isinstance(term, str)
        assert term
        assert not any(char.isspace() for char in term)
        assert term == term.lower()


_PIECES = ["US", "us", "U.S.", "-", "'", "\u2019", ".", ",", "1", "0", "Jong", "un", "ß", "ﬁ", "İ", "\u0301", "s", " "]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_terms_of_joiner_heavy_text_are_well_formed(text: str) -> None:
    """Hyphens, apostrophes, dots and commas glued together are where a tokenizer breaks."""
    for term in terms(text):
        assert term and not any(char.isspace() for char in term)
