"""The kind of answer a question asks for, and whether a sentence offers one the question does not already give."""

from __future__ import annotations

import pytest

from quotebot.retrieval.answer.answer_type import AnswerType, expected_type, offers
from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.answer.questions import analyze
from quotebot.retrieval.ingest.models import Document


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many defectors reached South Korea in 2019?", AnswerType.NUMBER),
        ("how much do defectors make a month", AnswerType.NUMBER),
        ("What percentage of defectors are satisfied?", AnswerType.NUMBER),
        ("When did Kim Jong-un become leader?", AnswerType.DATE),
        ("In what year did the most defectors arrive?", AnswerType.DATE),
        ("Who is the foreign minister?", AnswerType.PERSON),
        ("Where do most escapees cross the border?", AnswerType.PLACE),
        ("Which country sends them back?", AnswerType.PLACE),
        ("Why are fewer people leaving?", AnswerType.REASON),
        ("how come so many defectors kill themselves", AnswerType.REASON),
        ("what caused the 1973 oil crisis", AnswerType.REASON),
        ("what's a re-defector?", None),
    ],
)
def test_the_wh_words_say_what_kind_of_answer_is_wanted(question: str, kind: AnswerType | None) -> None:
    assert expected_type(question) is kind


def test_a_reason_is_a_sentence_that_gives_one() -> None:
    why = "why are so many defectors killing themselves"
    assert offers("Nam suggested that this higher suicide rate was due to the traumatic sense of isolation.", AnswerType.REASON, why)
    assert offers("Push-to-talk is required because open microphones were hard to follow.", AnswerType.REASON, why)
    assert not offers("The suicide rate of North Korean defectors is triple the rate for South Koreans.", AnswerType.REASON, why)


def test_a_number_the_question_does_not_give_is_read_from_the_index_terms() -> None:
    body = (
        "Figures on defectors reaching South Korea in 2019 are lower. "
        "The number who resettled during 2019 fell to only 1,047 last year. "
        "Some thousands have settled in Europe."
    )
    engine = QuoteEngine.build([Document(id="d.md", title="Defectors", body=body)])
    [candidate], _, _ = engine._candidates(analyze("How many defectors reached South Korea in 2019?"))
    # The question's own year is not an answer to it; "1,047" and "thousands" are.
    assert candidate.evidence.offers_answer.tolist() == [False, True, True]


def test_numbers_are_not_read_from_text() -> None:
    with pytest.raises(ValueError, match="read from terms"):
        offers("It had 12.", AnswerType.NUMBER, "How many?")


def test_dates_names_and_places() -> None:
    assert offers("Kim Jong-un became leader in late 2011.", AnswerType.DATE, "When did Kim Jong-un take over?")
    assert not offers("Kim Jong-un became leader.", AnswerType.DATE, "When did Kim Jong-un take over?")
    assert offers("His Foreign Minister Kang Kyung-wha served at the UN.", AnswerType.PERSON, "Who is the foreign minister?")
    assert offers("Refugees almost all flee into China.", AnswerType.PLACE, "Where do refugees go?")
    assert not offers("Refugees almost all flee, Reuters says.", AnswerType.PLACE, "Where do refugees go?")
