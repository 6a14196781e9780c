"""End to end: SIGTERM in the middle of a burst of questions leaves no member waiting on a spinner.

The bot runs as ``quotebot run`` runs it (``runner.serve``); retrieval is
slowed so that questions are still queued when the signal arrives. Every
question Discord delivered gets exactly one final message (an answer, a
decline, or the clear "restarting" sentence), none stays "thinking…", and
the stop takes no longer than its timeout.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time

from quotebot.bot.cli.runner import serve
from quotebot.bot.shutdown import RESTARTING
from tests.bot.e2e import ANSWERABLE, GUILD_SYNC, copy_corpus, delivered, make_bot, messages_for

LOADING = 1 << 7
STOP_TIMEOUT = 4.0
QUESTIONS = 40
# Two questions of one server are answered at once (bot.answering), so 40 take 5 s: longer than the stop allows.
SECONDS_PER_QUESTION = 0.25


async def test_sigterm_mid_burst_finishes_or_declines_every_question(discord_standin, clean_env, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="quotebot.bot.cli.runner")
    bot = make_bot(discord_standin, copy_corpus(tmp_path), stop_timeout_seconds=STOP_TIMEOUT)
    real_ask = bot.services.live.ask

    def slow_ask(question: str, top_k: int = 3):
        time.sleep(SECONDS_PER_QUESTION)
        return real_ask(question, top_k)

    bot.services.live.ask = slow_ask  # type: ignore[method-assign]
    running = asyncio.create_task(serve(bot, discord_standin.token))
    await discord_standin.wait_for_request(GUILD_SYNC)
    await asyncio.wait_for(bot.wait_until_ready(), 5)
    users = [discord_standin.world.alice, discord_standin.world.morgan, discord_standin.world.owner]
    burst = [
        await discord_standin.send_interaction("ask", {"question": ANSWERABLE}, user=users[i % 3])
        for i in range(QUESTIONS)
    ]
    await asyncio.sleep(0.3)  # a few answered, most still queued behind the slow retrieval
    signalled = time.monotonic()
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.sleep(0.1)
    late = [await discord_standin.send_interaction("ask", {"question": ANSWERABLE}) for _ in range(3)]
    await asyncio.wait_for(running, STOP_TIMEOUT + 5)
    stop_seconds = time.monotonic() - signalled

    outcomes = {"answered": 0, "told to ask again": 0}
    for sent in burst + late:
        body = await delivered(discord_standin, sent, timeout=1)
        (message,) = messages_for(discord_standin, sent)
        assert not message["flags"] & LOADING, "a member was left with a spinner"
        if body.get("embeds"):
            outcomes["answered"] += 1
        else:
            assert body["content"] == RESTARTING and body["flags"] & (1 << 6)
            outcomes["told to ask again"] += 1
    assert all(messages_for(discord_standin, sent)[0]["content"] == RESTARTING for sent in late)
    assert outcomes["answered"] >= 5 and outcomes["told to ask again"] >= 10, outcomes
    assert stop_seconds < STOP_TIMEOUT + 1.5
    (summary,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Stopped taking questions")]
    print(f"\nSIGTERM after {QUESTIONS} questions: {outcomes}; stopped in {stop_seconds:.2f} s; {summary}")
