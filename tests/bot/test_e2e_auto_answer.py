"""End to end: new help threads answered unasked, once, only where a server asks for it and only when sure."""

from __future__ import annotations

import dataclasses
import logging

import discord
import pytest

from quotebot.bot.cli.runner import REFUSED_INTENT, failure_status, serve
from quotebot.bot.client import CONTENT_INTENT_REFUSED
from quotebot.bot.exts.questions.auto_answer import AUTOMATIC, ONLY_THE_OPENER, REMOVED
from tests.bot.e2e import (
    ANSWERABLE,
    CHANNEL_MESSAGE,
    EPHEMERAL,
    OFF_TOPIC,
    assert_no_mentions_allowed,
    click,
    copy_corpus,
    delivered,
    make_bot,
)
from tests.discord_standin import ApplicationFlag, DiscordStandin, Intent, World
from tests.discord_standin.fixtures import checked_standin

DELETE_MESSAGE = "DELETE /channels/{channel_id}/messages/{message_id}"
# Asked in a thread opened after the others, and sure enough to be answered (confidence 0.90): its answer
# arriving means they were all considered.
LAST_QUESTION = "How many North Koreans have resettled in South Korea since the famine?"


async def watch_the_forum(standin: DiscordStandin) -> str:
    """Morgan makes #help-forum an auto-answer channel; the settings reply."""
    settings = await standin.send_interaction(
        "corpus settings", {"auto_answer_channels": standin.world.help_forum.mention}, user=standin.world.morgan
    )
    return (await delivered(standin, settings))["content"]


def bot_messages_in(standin: DiscordStandin, channel_id: int) -> list[dict]:
    return [
        request.response_json
        for request in standin.requests
        if request.route == CHANNEL_MESSAGE and request.path_params["channel_id"] == str(channel_id)
    ]


async def test_a_new_thread_is_answered_once_and_only_in_an_auto_answer_channel(discord_standin, clean_env, tmp_path):
    world = discord_standin.world
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path), auto_answer=True)):
        saved = await watch_the_forum(discord_standin)
        answered, opening = await discord_standin.open_thread(world.help_forum, "Resettled in the South", ANSWERABLE)
        reply = await discord_standin.wait_for_reply(opening)
        await discord_standin.send_message(ANSWERABLE, channel=answered)  # a second message in the thread
        off_topic, _ = await discord_standin.open_thread(world.help_forum, "Geography", OFF_TOPIC)
        elsewhere, _ = await discord_standin.open_thread(world.general, "Resettled in the South", ANSWERABLE)
        _, last = await discord_standin.open_thread(world.help_forum, "Since the famine", LAST_QUESTION, author=world.morgan)
        await discord_standin.wait_for_reply(last)
    assert f"**auto_answer_channels**: {world.help_forum.mention} (set here)" in saved
    assert discord_standin.identify["intents"] & Intent.MESSAGE_CONTENT
    assert [message["id"] for message in bot_messages_in(discord_standin, answered.id)] == [reply.response_json["id"]]
    assert bot_messages_in(discord_standin, off_topic.id) == bot_messages_in(discord_standin, elsewhere.id) == []
    body = reply.json
    assert body["content"] == AUTOMATIC and "35,000" in body["embeds"][0]["description"]
    labels = [c.get("label") or c["emoji"]["name"] for row in body["components"] for c in row["components"]]
    assert labels == ["👍", "👎", "Not helpful, remove"]
    assert_no_mentions_allowed(discord_standin)


async def test_not_helpful_removes_the_answer_for_the_threads_author_and_counts_as_a_dislike(
    discord_standin, clean_env, tmp_path
):
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path), auto_answer=True)
    async with discord_standin.running(bot):
        await watch_the_forum(discord_standin)
        thread, opening = await discord_standin.open_thread(
            world.help_forum, "Resettled in the South", ANSWERABLE, author=world.morgan
        )
        answer = (await discord_standin.wait_for_reply(opening)).response_json
        by_alice = await click(discord_standin, answer, "Not helpful, remove", user=world.alice)
        by_morgan = await click(discord_standin, answer, "Not helpful, remove", user=world.morgan)
        deleted = await discord_standin.wait_for_request(DELETE_MESSAGE)
        gaps = await bot.services.questions.gaps(world.guild.id, 0.0, documents=5)
    assert by_alice.json["data"]["content"] == ONLY_THE_OPENER and by_alice.json["data"]["flags"] & EPHEMERAL
    assert by_morgan.json["data"]["content"] == REMOVED and by_morgan.json["data"]["flags"] & EPHEMERAL
    assert deleted.path_params == {"channel_id": str(thread.id), "message_id": answer["id"]}
    assert int(answer["id"]) not in discord_standin.messages
    (gap,), (document,) = gaps
    assert (gap.text, gap.dislikes) == (f"Resettled in the South. {ANSWERABLE}", 1)
    assert (document.dislikes, document.likes) == (1, 0)


async def test_without_the_message_content_intent_granted_it_warns_once_and_connects_without_it(
    clean_env, tmp_path, caplog
):
    default = World.default()
    world = dataclasses.replace(default, application_flags=ApplicationFlag.APPLICATION_COMMAND_BADGE)
    caplog.set_level(logging.INFO)
    async with checked_standin(world) as standin:
        bot = make_bot(standin, copy_corpus(tmp_path), auto_answer=True)
        async with standin.running(bot):
            saved = await watch_the_forum(standin)
    assert not standin.identify["intents"] & Intent.MESSAGE_CONTENT
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [CONTENT_INTENT_REFUSED]
    assert "auto-answer off" in next(r.getMessage() for r in caplog.records if "ready as" in r.getMessage())
    assert saved.endswith("these channels take effect once they are on.")


async def test_a_gateway_refusing_the_intent_ends_in_one_line(clean_env, tmp_path, monkeypatch, capsys):
    """When Discord refuses the intent although the application's flags allow it (close 4014)."""
    default = World.default()
    world = dataclasses.replace(default, application_flags=ApplicationFlag.APPLICATION_COMMAND_BADGE)
    limited = discord.ApplicationFlags._from_value(ApplicationFlag.GATEWAY_MESSAGE_CONTENT_LIMITED)
    monkeypatch.setattr(discord.Client, "application_flags", property(lambda self: limited))
    async with checked_standin(world) as standin:
        bot = make_bot(standin, copy_corpus(tmp_path), auto_answer=True)
        with pytest.raises(discord.PrivilegedIntentsRequired) as refused:
            await serve(bot, standin.token)
    assert failure_status(refused.value) == 1
    assert capsys.readouterr().err == REFUSED_INTENT + "\n"
    assert bot.is_closed()


async def test_an_opening_message_that_mentions_the_bot_is_answered_once_as_a_mention(
    discord_standin, clean_env, tmp_path
):
    world = discord_standin.world
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path), auto_answer=True)):
        await watch_the_forum(discord_standin)
        thread, opening = await discord_standin.open_thread(
            world.help_forum, "Resettled", f"{world.bot.mention} {ANSWERABLE}"
        )
        reply = await discord_standin.wait_for_reply(opening)
        _, last = await discord_standin.open_thread(world.help_forum, "Since the famine", LAST_QUESTION)
        await discord_standin.wait_for_reply(last)
    assert [message["id"] for message in bot_messages_in(discord_standin, thread.id)] == [reply.response_json["id"]]
    assert reply.json["content"] != AUTOMATIC and reply.json["content"].startswith("> ")
