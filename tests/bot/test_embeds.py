"""The ``/ask`` embed: question, quote, context and source, within every Discord embed limit however big the input."""

from __future__ import annotations

import discord
from hypothesis import given, settings

from quotebot.bot import embeds, render
from quotebot.retrieval import Outcome
from tests.bot.factories import QUOTE, answered, any_answers, document, passage


def embed_within_limits(embed: discord.Embed) -> None:
    """Every limit Discord puts on an embed (it refuses the whole message over any one), and on a link."""
    data = embed.to_dict()
    assert len(data.get("title", "")) <= 256
    assert len(data.get("description", "")) <= 4096
    assert len(data.get("author", {}).get("name", "")) <= 256
    assert len(data.get("footer", {}).get("text", "")) <= 2048
    assert len(data.get("fields", [])) <= 25
    for field in data.get("fields", []):
        assert len(field["name"]) <= 256
        assert len(field["value"]) <= 1024
    assert len(embed) <= 6000
    assert len(data.get("url") or "") <= render.LINK_LIMIT


def test_embed_holds_question_quote_context_and_source():
    answer = answered(QUOTE, highlight=("defectors",), question="how many @everyone defectors?")
    embed = embeds.answer_embed(answer)
    assert embed.title == "Number of North Korean Defectors Declines"
    assert embed.url and embed.url.startswith("https://example.org/defectors#:~:text=")
    assert embed.author.name == "❓ how many @everyone defectors?"
    assert embed.description == "> In 2019, 1,047 **defectors** arrived in South Korea."
    fields = {field.name: field.value for field in embed.fields}
    assert fields["In context"] == f"Some context before. **{QUOTE}** And some after."
    assert fields["Source"].startswith("— *Number of North Korean")
    embed_within_limits(embed)


def test_embed_respects_every_limit_with_huge_inputs():
    quote = "defectors " * 3000
    context = "before " * 2000 + quote + " after" * 2000
    doc = document("T" * 1000, author="A" * 2000, publication="P" * 2000)
    answer = answered(
        quote, passages=[passage(context, doc, section="S" * 2000)], question="Q" * 10_000, highlight=("defectors",)
    )
    embed = embeds.answer_embed(answer)
    embed_within_limits(embed)
    assert embed.description.startswith("> **defectors**")


def test_an_unsure_answer_is_grey_and_says_so_above_the_quote():
    embed = embeds.answer_embed(answered(QUOTE, outcome=Outcome.UNSURE))
    assert embed.description.split("\n")[0] == "*The closest passage I found — it may not answer this:*"
    assert embed.colour == embeds.UNSURE_COLOUR
    assert embeds.answer_embed(answered(QUOTE)).colour == embeds.ANSWER_COLOUR


def test_next_pages_are_numbered_in_the_footer():
    second = passage("Defectors now arrive mostly by way of China.", number=2)
    answer = answered(QUOTE, passages=[passage(QUOTE), second], question="Where do defectors arrive from?")
    assert embeds.answer_embed(answer, 1).footer.text == "Passage 2 of 2"


@settings(max_examples=60, deadline=None)
@given(any_answers())
def test_any_text_fits_every_embed_limit(answer):
    embed_within_limits(embeds.answer_embed(answer))
