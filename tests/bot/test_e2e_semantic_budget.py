"""End to end with the semantic model on and a large server corpus not yet embedded: nobody waits for the model.

The real bot and the real model, against the Discord stand-in, at a size CI
can afford (``bench.semantic_load`` runs the issue's full sizes: 3,000
passages, 5 and 52 questions a second for 20 s). Assertions are on counts:
every question answered exactly once, none left waiting, no reload failed,
no gateway lag warning. The latencies are printed (``pytest -s``).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from quotebot.bot.answering import BUSY
from quotebot.retrieval import load_embedder
from tests.bot.e2e import copy_corpus, delivered, make_bot, server_documents
from tests.bot.load import run_load
from tests.bot.wiki import wiki_document

WIKI_PASSAGES = 600


@pytest.fixture
def semantic_bot(discord_standin, clean_env, tmp_path):  # type: ignore[no-untyped-def]
    """The bot with the semantic model on; its embedding worker stopped afterwards, as ``quotebot run`` stops it
    (a worker left running would go on writing vectors under the server folders of the tests that follow)."""
    bot = make_bot(discord_standin, copy_corpus(tmp_path), embedder=load_embedder())
    yield bot
    bot.services.live.close()


def server_wiki(bot, standin, seed: int = 0) -> Path:  # type: ignore[no-untyped-def]
    article = {path.name: path.read_bytes() for path in bot.services.live.folder.glob("*.md")}
    return server_documents(bot, standin.world.guild.id, {**article, "wiki.md": wiki_document(WIKI_PASSAGES, seed=seed).encode()})


async def test_five_questions_a_second_on_a_fresh_large_corpus_are_all_answered(discord_standin, semantic_bot):  # type: ignore[no-untyped-def]
    own = server_wiki(semantic_bot, discord_standin)
    async with discord_standin.running(semantic_bot, timeout=30):
        report = await run_load(discord_standin, semantic_bot, rate=5, seconds=10, reload_every=60, own=own)
        stats = semantic_bot.services.answering.stats[discord_standin.world.guild.id]
        moderator = await discord_standin.send_interaction("corpus stats", user=discord_standin.world.morgan)
        shown = (await delivered(discord_standin, moderator))["content"]
    print(f"\n5/s on a fresh {WIKI_PASSAGES}-passage corpus: {report}\n/corpus stats meanwhile:\n{shown}")
    assert report.sent == 50 and report.lost == 0 and report.busy == 0
    assert report.acknowledged_in_window == report.sent
    assert report.gateway_warnings == 0
    assert stats.by_words > 0  # the corpus was still being embedded: words alone answered meanwhile
    assert f"{stats.by_words:,} of {stats.by_words + stats.by_meaning:,}: passages not embedded yet" in shown
    assert "passages of 1 corpora waiting for vectors" in shown and "event loop at most" in shown


async def test_fifty_a_second_with_reloads_rewriting_the_large_document_lose_nothing(discord_standin, semantic_bot):  # type: ignore[no-untyped-def]
    own = server_wiki(semantic_bot, discord_standin)
    rewrites = iter(range(1, 1000))

    def rewrite() -> None:
        (own / "wiki.md").write_text(wiki_document(WIKI_PASSAGES, seed=next(rewrites)), encoding="utf-8")

    async with discord_standin.running(semantic_bot, timeout=30):
        report = await run_load(
            discord_standin, semantic_bot, rate=50, seconds=8, reload_every=2, own=own, change_corpus=rewrite
        )
    print(f"\n50/s, a reload rewriting {WIKI_PASSAGES} passages every 2 s: {report}")
    assert report.sent >= 390 and report.lost == 0
    assert report.reloads >= 3 and report.reloads_failed == 0
    assert report.acknowledged_in_window == report.sent
    assert report.gateway_warnings == 0


async def test_the_first_question_after_a_large_document_is_added_is_answered_from_it(discord_standin, semantic_bot):  # type: ignore[no-untyped-def]
    world = discord_standin.world
    async with discord_standin.running(semantic_bot, timeout=30):
        upload = wiki_document(WIKI_PASSAGES, seed=5, title="Harbour wiki").encode()
        added = await discord_standin.send_interaction(
            "corpus add", {"file": discord_standin.add_attachment("wiki.md", upload, content_type="text/markdown")},
            user=world.morgan,
        )
        reply = await delivered(discord_standin, added, timeout=120)
        assert "wiki.md" in reply["content"]
        asked_at = time.monotonic()
        question = await discord_standin.send_interaction("ask", {"question": "When was the pier number 13 rebuilt?"})
        answer = await delivered(discord_standin, question, timeout=10)
        seconds = time.monotonic() - asked_at
        stats = semantic_bot.services.answering.stats[world.guild.id]
    print(f"\nfirst question after adding {WIKI_PASSAGES} passages: answered in {seconds * 1000:.0f} ms")
    assert "pier number 13" in str(answer)
    assert stats.by_words == 1  # not a passage of it had vectors yet: words alone, at once


async def test_a_question_whose_turn_does_not_come_in_time_is_told_to_ask_again(
    discord_standin, clean_env, tmp_path, monkeypatch
):  # type: ignore[no-untyped-def]
    bot = make_bot(discord_standin, copy_corpus(tmp_path), answer_deadline_seconds=0.5)
    library = bot.services.corpora
    slow_ask = library.ask

    def overloaded(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(1.5)
        return slow_ask(*args, **kwargs)

    monkeypatch.setattr(library, "ask", overloaded)
    async with discord_standin.running(bot):
        first = await discord_standin.send_interaction("ask", {"question": "How many defectors reached South Korea in 2019?"})
        second = await discord_standin.send_interaction("ask", {"question": "Why are there fewer defectors?"},
                                                        user=discord_standin.world.morgan)
        replies = [await delivered(discord_standin, sent, timeout=10) for sent in (first, second)]
        stats = bot.services.answering.stats[discord_standin.world.guild.id]
    assert [reply["content"] for reply in replies] == [BUSY, BUSY]
    assert stats.busy == 2
