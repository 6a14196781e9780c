"""End to end: a passing Discord fault on any reply route costs a member nothing, and nothing arrives twice.

Faults are injected by the stand-in (``standin.faults``) on the route named;
the member's view is what the stand-in's message store holds at the end:
exactly one message for the question, holding the answer.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.bot.e2e import (
    ANSWERABLE,
    CALLBACK,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    EDIT_ORIGINAL,
    EPHEMERAL,
    FOLLOW_UP,
    OFF_TOPIC,
    button_id,
    copy_corpus,
    delivered,
    make_bot,
    messages_for,
    replies_to,
)

STATUSES = [429, 500, 502, 503]


def is_answer(message: dict) -> bool:
    return bool(message.get("embeds")) and "35,000" in message["embeds"][0]["description"]


def is_decline(message: dict) -> bool:
    return message["flags"] & EPHEMERAL and message["content"].startswith("I couldn't find")


def no_errors_logged(caplog) -> bool:
    return not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("status", STATUSES)
async def test_a_fault_on_the_callback_defers_and_delivers_the_answer_once(
    discord_standin, clean_env, tmp_path, status, caplog
):
    discord_standin.faults.fail(CALLBACK, status)
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        sent = await discord_standin.send_interaction("ask", {"question": ANSWERABLE})
        body = await delivered(discord_standin, sent)
    (message,) = messages_for(discord_standin, sent)
    assert is_answer(message) and is_answer(body)
    routes = [(r.route, r.status, (r.json or {}).get("type")) for r in discord_standin.requests_for(sent)]
    assert routes == [
        (CALLBACK, status, 4),
        (CALLBACK, 200, DEFERRED_CHANNEL_MESSAGE),
        (EDIT_ORIGINAL, 200, None),
    ]
    assert no_errors_logged(caplog)


def is_public_answer(message: dict) -> bool:
    return is_answer(message) and not message["flags"] & EPHEMERAL


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize(
    ("route", "question", "expected"),
    [(EDIT_ORIGINAL, ANSWERABLE, is_public_answer), (FOLLOW_UP, OFF_TOPIC, is_decline)],
    ids=["the edit filling a deferred answer", "the private follow-up of a slow decline"],
)
async def test_a_fault_after_a_deferral_is_retried(discord_standin, clean_env, tmp_path, status, route, question, expected):
    """Retrieval slower than the deferral delay: the answer fills the "thinking…" message; a decline
    deletes it and follows privately."""
    discord_standin.faults.fail(route, status)
    bot = make_bot(discord_standin, copy_corpus(tmp_path), ask_defer_after_seconds=0)
    async with discord_standin.running(bot):
        sent = await discord_standin.send_interaction("ask", {"question": question})
        await delivered(discord_standin, sent)
    (message,) = messages_for(discord_standin, sent)
    assert expected(message)
    assert [r.status for r in discord_standin.requests_for(sent) if r.route == route] == [status, 200]


@pytest.mark.parametrize("status", STATUSES)
async def test_a_fault_on_a_mention_reply_is_retried(discord_standin, clean_env, tmp_path, status):
    discord_standin.faults.fail(CHANNEL_MESSAGE, status)
    world = discord_standin.world
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        question = await discord_standin.send_message(f"{world.bot.mention} {ANSWERABLE}")
        await discord_standin.wait_for_request(CHANNEL_MESSAGE, where=lambda r: r.status == 200)
    (reply,) = replies_to(discord_standin, question)
    assert "35,000" in reply["content"]
    assert [r.status for r in discord_standin.requests if r.route == CHANNEL_MESSAGE] == [status, 200]


@pytest.mark.parametrize("status", STATUSES)
async def test_a_fault_on_a_button_update_still_turns_the_page_once(discord_standin, clean_env, tmp_path, status):
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        answer = await discord_standin.send_interaction("ask", {"question": ANSWERABLE})
        message = (await discord_standin.wait_for_request(CALLBACK, interaction=answer)).response_json["resource"][
            "message"
        ]
        discord_standin.faults.fail(CALLBACK, status)
        page = await discord_standin.send_component(message, button_id(message, "Next passage"))
        await discord_standin.wait_for_request(EDIT_ORIGINAL, interaction=page)
    stored = discord_standin.messages[int(message["id"])]
    assert stored["embeds"][0]["footer"]["text"] == "Passage 2 of 3"
    routes = [(r.route, r.status, (r.json or {}).get("type")) for r in discord_standin.requests_for(page)]
    assert routes == [(CALLBACK, status, 7), (CALLBACK, 200, 6), (EDIT_ORIGINAL, 200, None)]


async def test_two_server_errors_in_a_row_on_the_callback_still_deliver_one_answer(discord_standin, clean_env, tmp_path):
    discord_standin.faults.fail(CALLBACK, 500, times=2)
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        sent = await discord_standin.send_interaction("ask", {"question": ANSWERABLE})
        await delivered(discord_standin, sent)
    (message,) = messages_for(discord_standin, sent)
    assert is_answer(message)
    statuses = [(r.route, r.status) for r in discord_standin.requests_for(sent)]
    assert statuses == [(CALLBACK, 500), (CALLBACK, 500), (CALLBACK, 200), (EDIT_ORIGINAL, 200)]


async def test_a_callback_whose_answer_was_lost_is_not_sent_again(discord_standin, clean_env, tmp_path):
    """Discord carried the callback out but its answer was lost: the retry learns so (40060) and only edits."""
    discord_standin.faults.fail(CALLBACK, 502, after_processing=True)
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        sent = await discord_standin.send_interaction("ask", {"question": ANSWERABLE})
        await discord_standin.wait_for_request(EDIT_ORIGINAL, interaction=sent)
    (message,) = messages_for(discord_standin, sent)
    assert is_answer(message)
    statuses = [(r.route, r.status) for r in discord_standin.requests_for(sent)]
    assert statuses == [(CALLBACK, 502), (CALLBACK, 400), (EDIT_ORIGINAL, 200)]
    assert discord_standin.requests_for(sent)[1].response_json["code"] == 40060


async def test_a_mention_reply_whose_answer_was_lost_is_not_posted_twice(discord_standin, clean_env, tmp_path):
    discord_standin.faults.fail(CHANNEL_MESSAGE, 500, after_processing=True)
    world = discord_standin.world
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        question = await discord_standin.send_message(f"{world.bot.mention} {ANSWERABLE}")
        await discord_standin.wait_for_request(CHANNEL_MESSAGE, where=lambda r: r.status == 200)
    (reply,) = replies_to(discord_standin, question)
    first, second = [r for r in discord_standin.requests if r.route == CHANNEL_MESSAGE]
    assert first.json["nonce"] == second.json["nonce"] and second.json["enforce_nonce"] is True
    assert second.response_json["id"] == reply["id"]


def warnings_and_worse(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


async def test_an_expired_interaction_is_one_warning_and_no_reply_through_its_dead_token(
    discord_standin, clean_env, tmp_path, caplog
):
    discord_standin.timing.callback_window = 0.0  # Discord saw the bot as too slow: the token is dead at once
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        sent = await discord_standin.send_interaction("ask", {"question": ANSWERABLE})
        refused = await discord_standin.wait_for_request(CALLBACK, interaction=sent)
        healthy = await discord_standin.send_message(f"{discord_standin.world.bot.mention} {ANSWERABLE}")
        await discord_standin.wait_for_reply(healthy)  # by now the expired one has been handled
    assert (refused.status, refused.response_json["code"]) == (404, 10062)
    assert [r.route for r in discord_standin.requests_for(sent)] == [CALLBACK]  # nothing more through that token
    (warning,) = warnings_and_worse(caplog)
    assert warning.levelname == "WARNING" and warning.exc_info is None
    assert warning.getMessage() == (
        f"Discord did not take /ask ({CALLBACK}, interaction {sent.id}): the interaction token has expired"
    )
    assert (warning.route, warning.interaction_id) == (CALLBACK, sent.id)


async def test_a_fault_outlasting_the_window_is_one_warning_without_traceback(
    discord_standin, clean_env, tmp_path, caplog
):
    discord_standin.faults.fail(CALLBACK, 503, times=None)
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        sent = await discord_standin.send_interaction("ask", {"question": ANSWERABLE})
        await discord_standin.wait_for_request(CALLBACK, interaction=sent)
        healthy = await discord_standin.send_message(f"{discord_standin.world.bot.mention} {ANSWERABLE}")
        await discord_standin.wait_for_reply(healthy, timeout=10)
        # The window closes 2.75 s after the question; then the bot gives up, once.
        await discord_standin.wait_for_request(interaction=sent, where=lambda r: r.json.get("type") == 5, timeout=5)
        while not warnings_and_worse(caplog):
            await asyncio.sleep(0.1)
    attempts = discord_standin.requests_for(sent)
    assert len(attempts) >= 4 and all(r.route == CALLBACK and r.status == 503 for r in attempts)
    (warning,) = warnings_and_worse(caplog)
    assert warning.levelname == "WARNING" and warning.exc_info is None
    assert f"({CALLBACK}, interaction {sent.id}): 503" in warning.getMessage()
    assert f"still after {len(attempts)} attempts" in warning.getMessage()
    assert not messages_for(discord_standin, sent)


async def test_a_global_rate_limit_holds_back_every_send_until_it_is_over(discord_standin, clean_env, tmp_path):
    """A global 429 on one reply pauses the bot's other sends too: discord.py must see it, so quotebot
    leaves a send outside a callback window to discord.py's own handling."""
    world = discord_standin.world
    pause = 1.5
    limited = discord_standin.faults.fail(CHANNEL_MESSAGE, 429, retry_after=pause, global_limit=True)
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        first = await discord_standin.send_message(f"{world.bot.mention} {ANSWERABLE}", author=world.alice)
        rate_limited = await discord_standin.wait_for_request(CHANNEL_MESSAGE, where=lambda r: r.status == 429)
        # Asked in another channel once the limit is in force: a different route bucket, the same global limit.
        second = await discord_standin.send_message(
            f"{world.bot.mention} {ANSWERABLE}", author=world.morgan, channel=world.quotes
        )
        for _ in range(100):
            if replies_to(discord_standin, first) and replies_to(discord_standin, second):
                break
            await asyncio.sleep(0.05)
    assert limited.hits == 1
    assert len(replies_to(discord_standin, first)) == 1 and len(replies_to(discord_standin, second)) == 1
    later = [r for r in discord_standin.requests if r.route == CHANNEL_MESSAGE and r.index > rate_limited.index]
    assert len(later) == 2  # the first reply tried again, and the second; nothing sent in between
    waited = [r.answered_at - rate_limited.answered_at for r in later]
    assert min(waited) >= pause - 0.05, f"a send went out {min(waited):.2f} s into a {pause} s global rate limit"
