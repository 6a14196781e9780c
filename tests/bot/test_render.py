"""The text renderer: exact Markdown shape, escaping, and the message limit, however big the input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from quotebot.bot import render
from quotebot.retrieval import Outcome
from tests.bot.factories import QUOTE, answered, any_answers, declined, document, passage


def test_markdown_is_blockquote_attribution_and_deep_link():
    answer = answered(QUOTE, highlight=("1,047", "defectors"))
    text = render.answer_markdown(answer)
    quote_line, attribution, link = text.split("\n")
    assert quote_line == "> In 2019, **1,047** **defectors** arrived in South Korea."
    assert (
        attribution
        == "— *Number of North Korean Defectors Declines*, Robert R. King, The Peninsula · Defectors in 2019"
    )
    assert (
        link
        == "<https://example.org/defectors#:~:text=In%202019%2C%201%2C047%20defectors%20arrived%20in%20South%20Korea.>"
    )


def test_an_unsure_answer_says_so_before_the_quote_on_its_first_page_only():
    passages = [passage(QUOTE), passage("Another passage about defectors.")]
    answer = answered(QUOTE, passages=passages, outcome=Outcome.UNSURE)
    first = render.answer_markdown(answer).split("\n")
    assert first[0] == "The closest passage I found — it may not answer this:"
    assert first[1] == f"> {QUOTE}"
    assert not render.answer_markdown(answer, 1).startswith("The closest passage")
    assert not render.answer_markdown(answered(QUOTE)).startswith("The closest passage")


def test_attribution_leaves_out_what_the_document_lacks_and_links_nothing_without_url():
    doc = document("Notes", author=None, publication=None, url=None)
    text = render.answer_markdown(answered(QUOTE, passages=[passage(QUOTE, doc, section=None)]))
    assert text == f"> {QUOTE}\n— *Notes*"


def test_markdown_characters_and_mentions_in_corpus_text_stay_literal():
    quote = "Use *stars*, _underscores_, ~~strike~~, ||spoilers||, `code` and @everyone <@123456789012345678>."
    text = render.answer_markdown(answered(quote, highlight=("stars",)))
    first = text.split("\n")[0]
    assert first.startswith(
        "> Use \\***stars**\\*, \\_underscores\\_, \\~\\~strike\\~\\~, \\|\\|spoilers\\|\\|, \\`code\\`"
    )
    assert "@everyone" not in text and "@\u200beveryone" in text
    assert "<@123456789012345678>" not in text


def test_line_start_markdown_in_a_quote_is_escaped():
    text = render.answer_markdown(answered("# Not a heading\n- not a list\n> not a quote"))
    assert text.split("\n")[:3] == ["> \\# Not a heading", "> \\- not a list", "> \\> not a quote"]


def test_huge_passage_and_title_fit_in_one_message_cut_at_a_word():
    quote = " ".join(f"word{i}" for i in range(20_000))
    doc = document("T" * 5000 + " title", author="A" * 3000)
    answer = answered(quote, passages=[passage(quote, doc)], highlight=("word1",))
    text = render.answer_markdown(answer)
    assert len(text) <= render.MESSAGE_LIMIT
    quote_part, attribution = text.split("\n")[0], text.split("\n")[1]
    assert quote_part.endswith("…") and quote_part[:-1].split()[-1].startswith("word")
    assert attribution.startswith("— *") and len(attribution) < 600


def test_long_text_fragment_falls_back_to_the_bare_url_then_to_no_link():
    long_quote = " ".join(["Pyongyang"] * 8)
    medium = document(url="https://example.org/" + "a" * 420)
    assert render.source_link(render.page(answered(long_quote, passages=[passage(long_quote, medium)]))) == medium.url
    huge = document(url="https://example.org/" + "a" * 600)
    assert render.source_link(render.page(answered(QUOTE, passages=[passage(QUOTE, huge)]))) is None
    script = document(url="javascript:alert(1)")
    assert render.source_link(render.page(answered(QUOTE, passages=[passage(QUOTE, script)]))) is None


def test_next_pages_show_the_following_passages_with_a_page_label():
    second = passage("Defectors now arrive mostly by way of China.", number=2)
    answer = answered(QUOTE, passages=[passage(QUOTE), second], question="Where do defectors arrive from?")
    assert render.page_count(answer) == 2
    text = render.answer_markdown(answer, 1)
    assert text.startswith("> **Defectors** now **arrive** mostly by way of China.\n")
    assert text.endswith("-# Passage 2 of 2")


def test_decline_is_short_plain_text_suggesting_rephrasing():
    text = render.answer_markdown(declined())
    assert text == render.decline_text(declined())
    assert not text.startswith(">")
    assert "Nothing in the corpus matches those words." in text
    assert "rephras" in text
    assert len(render.decline_text(declined(reason="x " * 5000))) <= render.MESSAGE_LIMIT


@settings(max_examples=60, deadline=None)
@given(any_answers())
def test_any_text_renders_within_the_message_limit(answer):
    assert len(render.answer_markdown(answer)) <= render.MESSAGE_LIMIT


def test_emphasised_never_cuts_inside_bold_or_escapes():
    text = "**" + "a_b " * 1000
    out = render.emphasised(text, [(2, 5)], 100)
    assert len(out) <= 100
    assert out.count("**") % 2 == 0
    assert not out.rstrip("…").endswith("\\")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("**bold** and _it_", "\\*\\*bold\\*\\* and \\_it\\_"),
        ("# heading\n- item\n> quote", "\\# heading\n\\- item\n\\> quote"),
        ("[click](https://evil.example)", "[click\\](https://evil.example)"),
        ("see https://example.org/a_b_c", "see https://example.org/a_b_c"),
        ("Kim Jong-un, 1,047 (74.2%)", "Kim Jong-un, 1,047 (74.2%)"),
        ("@everyone and @here", "@\u200beveryone and @\u200bhere"),
    ],
)
def test_escape_makes_markdown_and_mentions_literal(text: str, shown: str) -> None:
    assert render.escape(text) == shown


def test_text_rendering_does_not_import_discord() -> None:
    import subprocess
    import sys

    code = "import sys, bot.render; print('discord' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_malformed_url_in_front_matter_gives_no_link_rather_than_a_crash():
    broken = document(url="http://[oops/page")
    answer = answered(QUOTE, passages=[passage(QUOTE, broken)])
    assert render.source_link(render.page(answer)) is None
    assert QUOTE.split()[0] in render.answer_markdown(answer)


def test_a_quote_from_a_pdf_names_its_page_and_links_the_pdf_open_there(tmp_path, article_pdf):
    from quotebot.retrieval import LiveEngine, save_upload

    save_upload(tmp_path, "report.pdf", article_pdf, url="https://example.org/report.pdf", max_bytes=len(article_pdf))
    live = LiveEngine(tmp_path)
    live.load()
    answer = live.ask("What happened to the soldier who crossed the DMZ in November 2017?")
    assert "shot five times" in answer.quote
    *_, attribution, link = render.answer_markdown(answer).split("\n")
    assert attribution == (
        "— *Number of North Korean Defectors Declines*, Robert R. King · North Korean Policy to Discourage Defections · p. 2"
    )
    assert link == "<https://example.org/report.pdf#page=2>"
