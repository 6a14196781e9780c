"""Answers and declines as a member sees them: the quote, its source, or an honest no."""

from __future__ import annotations

import pytest

from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.ingest.loader import load_folder
from quotebot.retrieval.ingest.models import Document
from tests.conftest import SHIPPED_CORPUS


@pytest.fixture(scope="module")
def article() -> QuoteEngine:
    return QuoteEngine.build(load_folder(SHIPPED_CORPUS).documents)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The issue's own examples: vocabulary gaps plain BM25 misses.
        ("How many refugees has America taken in?", "218 for a decade and a half"),
        ("What was the highest number of defectors in a single year?", "2,914"),
        ("What happened to the fishermen?", "fishermen"),
        ("What is the suicide rate of defectors?", "triple the rate"),
        ("How many defectors arrived in South Korea last year?", "1,047"),
        ("Who is Thae Yong-ho?", "deputy ambassador to the United Kingdom"),
        ("who is thae yong ho", "deputy ambassador to the United Kingdom"),
        ("How much do defectors earn per month?", "US$1,720"),
    ],
)
def test_answers_quote_the_sentence_that_holds_the_answer(article: QuoteEngine, question: str, expected: str) -> None:
    answer = article.ask(question)
    assert answer.answered, answer.decline_reason
    assert expected in answer.quote
    assert answer.quote in answer.hits[0].passage.text
    assert answer.source.title == "Number of North Korean Defectors Declines"


def test_quote_is_verbatim_and_highlights_point_at_question_words(article: QuoteEngine) -> None:
    answer = article.ask("What is the suicide rate of defectors?")
    highlighted = [answer.quote[a:b] for a, b in answer.highlights]
    # "The suicide rate of North Korean defectors in South Korea is triple the rate …", and the next
    # sentence, which holds as much of the question ("this higher suicide rate was due to …"):
    # neighbouring matched words make one span.
    assert highlighted == ["suicide rate", "defectors", "rate", "suicide rate", "defectors"]
    assert answer.matched_terms >= {"suicid", "rate", "defector"}


@pytest.mark.parametrize(
    "question",
    ["What is the capital of France?", "How do I reset my Discord password?", "Who won the 2018 World Cup?"],
)
def test_unrelated_questions_are_declined_with_a_reason(article: QuoteEngine, question: str) -> None:
    answer = article.ask(question)
    assert not answer.answered
    assert answer.quote is None
    assert answer.decline_reason


def test_questions_about_the_document_are_answered_from_its_metadata(article: QuoteEngine) -> None:
    assert article.ask("Who wrote this article?").quote == (
        "“Number of North Korean Defectors Declines” was written by Robert R. King."
    )
    published = article.ask("Where was this published?")
    assert published.quote == (
        "“Number of North Korean Defectors Declines” was published in The Peninsula, "
        "Korea Economic Institute of America."
    )
    undated = article.ask("When was this article published?")
    assert not undated.answered and "date" in undated.decline_reason


def test_a_question_naming_content_is_not_mistaken_for_a_metadata_question(article: QuoteEngine) -> None:
    answer = article.ask("Who wrote the letter to President Moon?")
    assert answer.answered
    assert "Human Rights Watch" in answer.quote


@pytest.mark.parametrize(
    "question",
    ["", "   ", "the of and", "?!?", "🙂🙂🙂", "Привет, как дела?", "北朝鮮の亡命者", "\x00\x07\x1b[31m",
     "@everyone **bold** `code`", "defectors " * 2_000],
)
def test_odd_questions_get_an_answer_or_a_clear_decline(article: QuoteEngine, question: str) -> None:
    answer = article.ask(question)
    assert answer.answered == (answer.quote is not None)
    assert answer.answered or answer.decline_reason
    assert len(answer.question) <= 1_000


def test_top_k_bounds_and_ranks(article: QuoteEngine) -> None:
    answer = article.ask("defectors South Korea", top_k=5)
    assert [hit.rank for hit in answer.hits] == [1, 2, 3, 4, 5]
    assert all(hit.score > 0 for hit in answer.hits)
    assert len({hit.passage.id for hit in answer.hits}) == 5
    assert article.ask("defectors", top_k=0).hits == ()


def test_one_paragraph_corpus_still_answers() -> None:
    document = Document(id="faq.md", title="Server FAQ", body="Voice channels open at 8 pm UTC every Friday for game night.")
    engine = QuoteEngine.build([document])
    answer = engine.ask("When do voice channels open?")
    assert answer.answered
    assert answer.quote == document.body
    assert answer.hits[0].score > 0


def test_json_contract_holds_results_even_when_declined(article: QuoteEngine) -> None:
    declined = article.ask("What's the best pizza topping for defectors in Paris?").to_json()
    assert set(declined) == {"question", "answered", "outcome", "confidence", "ranking", "quote", "results"}
    assert declined["ranking"] == "lexical"
    if not declined["answered"]:
        assert declined["quote"] is None
    for result in declined["results"]:
        assert set(result) == {"rank", "score", "passage_id", "text", "section", "document"}
        assert set(result["document"]) == {"id", "title", "author", "publication", "url"}


def test_empty_documents_are_refused() -> None:
    with pytest.raises(ValueError):
        QuoteEngine.build([])


def test_the_author_is_searched_by_name(article: QuoteEngine) -> None:
    answer = article.ask("Where does the author work?")
    assert answer.answered
    assert "Korea Economic Institute of America" in answer.quote


@pytest.mark.parametrize(
    # Questions that mention "the author" or "this article" but ask about the text.
    "question",
    ["What does the author say about China?", "Which defector is named in this article?"],
)
def test_questions_about_the_text_are_not_taken_for_metadata_questions(article: QuoteEngine, question: str) -> None:
    answer = article.ask(question)
    if answer.answered:
        assert "Non-Resident Fellow" not in answer.quote
        assert "titled" not in answer.quote


@pytest.mark.parametrize(
    ("first_sentence", "quote_holds_the_whole_question"),
    [
        # "arrived" held only as its everyday synonym "reaching", outside the quote: no count against the quote.
        ("Ferries began reaching the harbour from the mainland in 1995.", True),
        # The word itself outside the quote: the quote does miss a word the passage has.
        ("Ferries first arrived at the harbour from the mainland in 1995.", False),
    ],
)
def test_a_word_held_only_through_a_synonym_outside_the_quote_does_not_count_against_it(
    first_sentence: str, quote_holds_the_whole_question: bool
) -> None:
    body = f"{first_sentence} A crossing takes thirty minutes. In 2020 the ferries carried 41,200 visitors to Skye."
    other = Document(id="trains.md", title="Trains", body="Trains arrived late all winter, and the timetable changed.")
    engine = QuoteEngine.build([Document(id="skye.md", title="Island ferries", body=body), other])
    answer, signals = engine.explain("How many visitors arrived on Skye in 2020?")
    assert answer.quote == "In 2020 the ferries carried 41,200 visitors to Skye."
    assert signals is not None
    assert (signals.quote_share == pytest.approx(1.0)) is quote_holds_the_whole_question
    assert (signals.whole_quote_share == pytest.approx(signals.passage_share)) is quote_holds_the_whole_question


FAQ = (
    "## Frequently asked questions\n\n"
    "**Can two boats share a tile?** Yes. Any number of boats may share a tile, including boats of different colours.\n\n"
    "**Can I move diagonally?** No. Boats move only across full edges, never across corners."
)


def test_a_faq_question_is_quoted_with_its_reply() -> None:
    engine = QuoteEngine.build([Document(id="faq.md", title="Tidewater FAQ", body=FAQ)])
    answer = engine.ask("can 2 boats be on the same tile")
    assert answer.quote.startswith("**Can two boats share a tile?")
    assert answer.quote.endswith("Any number of boats may share a tile, including boats of different colours.")
    assert "diagonally" not in answer.quote

