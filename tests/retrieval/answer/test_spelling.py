"""Chat shorthand spelt out and misspelt words matched to the corpus's, without touching what is already right."""

from __future__ import annotations

import pytest

from quotebot.retrieval.answer.questions import analyze
from quotebot.retrieval.answer.spelling import correct_terms, expand_shorthand

VOCABULARY = sorted(["foreign", "minist", "sponsor", "defector", "korea", "refuge", "happen", "japan", "kang"])


@pytest.mark.parametrize(
    ("typed", "spelt_out"),
    [
        ("how many ppl defected to south korea last yr", "how many people defected to south korea last year"),
        ("r nk border guards allowed to shoot u", "are north korea border guards allowed to shoot you"),
        ("wat did thae do b4 he defected", "what did thae do before he defected"),
        ("why dont they", "why don't they"),
        # One-letter shorthand only in lower case, and never inside a word or a number.
        ("Is U-235 in the report? R&D budget", "Is U-235 in the report? R&D budget"),
        ("the 4 sailors", "the 4 sailors"),
        # Chat conventions: "%" for the word, a name's shorthand typed in capitals stays a name, "made it to".
        ("what % of defectors have jobs", "what percent of defectors have jobs"),
        ("62% of them", "62% of them"),
        ("how many made it to SK in 2019", "how many reached South Korea in 2019"),
        ("nk and NK", "north korea and North Korea"),
    ],
)
def test_shorthand_is_spelt_out_as_whole_words(typed: str, spelt_out: str) -> None:
    assert expand_shorthand(typed) == spelt_out


def test_questions_search_the_spelt_out_words_but_show_what_was_typed() -> None:
    question = analyze("how many ppl defected from nk")
    assert question.text == "how many ppl defected from nk"
    assert question.search_text == "how many people defected from north korea"
    assert {"peopl", "north", "korea"} <= set(question.terms)


def test_chat_wording_asks_what_the_written_words_ask() -> None:
    from quotebot.retrieval.answer.answer_type import AnswerType

    assert analyze("what % of defectors have jobs").answer_type is AnswerType.NUMBER
    assert {"south", "korea"} <= analyze("how many ppl arrive in SK").name_terms
    assert not analyze("how many ppl arrive in sk").name_terms
    assert "reach" in analyze("so how many made it to the south in 2019").terms


def test_misspelt_words_are_matched_to_the_closest_corpus_term() -> None:
    corrections = correct_terms("who is the foriegn ministr, did they sponser it", VOCABULARY, VOCABULARY.__contains__)
    assert corrections == {"foriegn": "foreign", "ministr": "minist", "sponser": "sponsor"}


@pytest.mark.parametrize(
    "question",
    [
        "did japan sponsor it",  # known terms are never changed
        "is it 2019",  # numbers are left alone
        "the kan",  # short terms are left alone ("kan" is not "kang")
        "what about brazil",  # nothing in the corpus is close enough
        "is it korean or japanese",  # correctly spelt English words are not typos of corpus words
        "was there a trial",  # ("trial" is not "tripl", the stem of "triple")
    ],
)
def test_known_short_numeric_correct_or_distant_words_are_left_alone(question: str) -> None:
    vocabulary = sorted([*VOCABULARY, "tripl"])
    assert correct_terms(question, vocabulary, vocabulary.__contains__) == {}
