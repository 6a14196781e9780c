"""Text-fragment deep links (``#:~:text=start,end``): format, encoding, and replacing an old fragment."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotebot.retrieval.ingest.citation import text_fragment_url

URL = "https://example.org/articles/defectors"


def directive(link: str) -> str:
    base, marker, text = link.partition("#:~:text=")
    assert marker and base
    return text


def test_short_quote_is_one_directive() -> None:
    assert text_fragment_url(URL, "Robert R. King") == f"{URL}#:~:text=Robert%20R.%20King"


def test_quote_of_eight_words_is_still_one_directive() -> None:
    quote = "one two three four five six seven eight"
    assert text_fragment_url(URL, quote) == f"{URL}#:~:text=one%20two%20three%20four%20five%20six%20seven%20eight"


def test_long_quote_is_a_start_end_range_of_four_words_each() -> None:
    quote = "The suicide rate of North Korean defectors in South Korea is triple the rate for South Koreans."
    assert text_fragment_url(URL, quote) == (
        f"{URL}#:~:text=The%20suicide%20rate%20of,rate%20for%20South%20Koreans."
    )


def test_white_space_inside_the_quote_is_folded() -> None:
    assert text_fragment_url(URL, "  a\n  wrapped\tquote  ") == f"{URL}#:~:text=a%20wrapped%20quote"


@pytest.mark.parametrize(
    ("quote", "encoded"),
    [
        ("economic, social", "economic%2C%20social"),
        ("Kim Jong-un", "Kim%20Jong%2Dun"),
        ("AT&T", "AT%26T"),
        ("Séoul’s “support”", "S%C3%A9oul%E2%80%99s%20%E2%80%9Csupport%E2%80%9D"),
        ("탈북자", "%ED%83%88%EB%B6%81%EC%9E%90"),
        ("50% #1 a=b? x/y", "50%25%20%231%20a%3Db%3F%20x%2Fy"),
    ],
)
def test_reserved_and_non_ascii_characters_are_percent_encoded(quote: str, encoded: str) -> None:
    assert text_fragment_url(URL, quote) == f"{URL}#:~:text={encoded}"


def test_range_parts_are_encoded_so_their_commas_do_not_split_the_range() -> None:
    quote = "First, second-third & fourth words then many more words until the very end, really."
    text = directive(text_fragment_url(URL, quote))
    start, end = text.split(",")  # exactly one literal comma: the range separator
    assert unquote(start) == "First, second-third & fourth"
    assert unquote(end) == "the very end, really."


@pytest.mark.parametrize(
    ("url", "expected_base"),
    [
        ("https://example.org/a#section-2", "https://example.org/a"),
        ("https://example.org/a#:~:text=old%20quote", "https://example.org/a"),
        ("https://example.org/a?x=1&y=2#top", "https://example.org/a?x=1&y=2"),
        ("https://example.org/a?x=1", "https://example.org/a?x=1"),
    ],
)
def test_existing_fragment_is_replaced_and_query_kept(url: str, expected_base: str) -> None:
    assert text_fragment_url(url, "new quote") == f"{expected_base}#:~:text=new%20quote"


@pytest.mark.parametrize("quote", ["", "   ", "\n\t"])
def test_empty_quote_leaves_the_url_alone(quote: str) -> None:
    assert text_fragment_url(URL, quote) == URL


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_directive_decodes_back_to_the_quoted_words(quote: str) -> None:
    words = quote.split()
    link = text_fragment_url(URL, quote)
    if not words:
        assert link == URL
        return
    text = directive(link)
    assert not set(text) & set(" &-#\n"), "reserved characters must be percent-encoded"
    parts = [unquote(part) for part in text.split(",")]
    if len(words) <= 8:
        assert parts == [" ".join(words)]
    else:
        assert parts == [" ".join(words[:4]), " ".join(words[-4:])]
