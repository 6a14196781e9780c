"""The /corpus gaps report: grouped, ranked, escaped, and always within Discord's embed limits."""

from __future__ import annotations

from quotebot.bot.exts.corpus.gaps import gaps_embed, grouped
from quotebot.bot.servers.question_db import DocumentVotes, Gap
from tests.bot.test_embeds import embed_within_limits


def gap(text: str, outcome: str = "declined", asker: str = "a", dislikes: int = 0, at: float = 1.0) -> Gap:
    return Gap(text, outcome, asker, dislikes, at)


def test_groups_rank_by_times_asked_then_askers_then_recency_and_count_each_reason() -> None:
    gaps = [
        gap("capital of Spain?", at=5.0),
        gap("Who won the World Cup?", asker="a", at=1.0),
        gap("who won the 2018 world cup", asker="b", at=2.0),
        gap("capital of Italy?", asker="a", at=3.0),
        gap("capital of Italy?", asker="a", outcome="unsure", at=4.0),
        gap("How many defectors?", outcome="answered", dislikes=2, at=6.0),
    ]
    groups = grouped(gaps)
    assert [(g.wording, g.asked, g.askers) for g in groups] == [
        ("Who won the World Cup?", 2, 2),
        ("capital of Italy?", 2, 1),
        ("How many defectors?", 1, 1),
        ("capital of Spain?", 1, 1),
    ]
    assert groups[1].outcomes == {"declined": 1, "unsure": 1} and groups[2].dislikes == 2
    assert groups[0].others == ("who won the 2018 world cup",)


def test_markdown_and_mentions_in_questions_stay_literal() -> None:
    embed = gaps_embed([gap("**why** @everyone?")], [], days=7, kept_days=90)
    assert embed.description == "1. **1×** \\*\\*why\\*\\* @\u200beveryone? — declined 1"


def test_hundreds_of_groups_fit_the_embed_and_say_how_many_more() -> None:
    gaps = [gap(f"question number {n} about topic{n} and thing{n} " + "x" * 120, asker=str(n)) for n in range(400)]
    documents = [DocumentVotes(f"{'d' * 90}-{n}.md", 5, 1) for n in range(5)]
    embed = gaps_embed(gaps, documents, days=30, kept_days=90)
    embed_within_limits(embed)
    assert embed.description.endswith("more") and "…and " in embed.description.split("\n")[-1]
    assert embed.footer.text.startswith("400 questions from 400 members")
