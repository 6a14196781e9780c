"""End to end under volume: a steady load with reloads, and a storm of Discord faults; no question is lost.

The figures are printed (``pytest -s``); the assertions are on counts, not
on latency: the machine running the tests is shared.
"""

from __future__ import annotations

import asyncio

from tests.bot.e2e import ANSWERABLE, copy_corpus, make_bot, messages_for, replies_to
from tests.bot.load import QUESTIONS, run_load

LOAD_RATE = 50.0
LOAD_SECONDS = 20.0
RELOAD_EVERY = 2.0


async def test_fifty_questions_a_second_for_twenty_seconds_while_reloading_lose_none(
    discord_standin, clean_env, tmp_path
):
    bot = make_bot(discord_standin, copy_corpus(tmp_path))
    async with discord_standin.running(bot, timeout=15):
        report = await run_load(
            discord_standin, bot, rate=LOAD_RATE, seconds=LOAD_SECONDS, reload_every=RELOAD_EVERY
        )
    print(f"\nload: {report}")
    assert report.sent >= LOAD_RATE * LOAD_SECONDS * 0.98 and report.rate >= LOAD_RATE * 0.98
    assert report.reloads >= LOAD_SECONDS / RELOAD_EVERY - 1 and report.reloads_failed == 0
    assert report.acknowledged_in_window == report.sent
    assert report.lost == 0


async def test_a_fifth_rate_limited_and_a_fifth_server_errors_over_a_hundred_questions_lose_none(
    discord_standin, clean_env, tmp_path
):
    """20% of every reply request gets a 429 and 20% a 500, 502 or 503; 70 /ask and 30 mentions."""
    world = discord_standin.world
    users = [world.alice, world.morgan, world.owner]
    discord_standin.faults.mix(rate_limited=0.2, server_errors=0.2)
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path)), timeout=15):
        asked = [
            await discord_standin.send_interaction("ask", {"question": QUESTIONS[n % len(QUESTIONS)]}, user=users[n % 3])
            for n in range(70)
        ]
        mentioned = [
            await discord_standin.send_message(f"{world.bot.mention} {ANSWERABLE}", author=users[n % 3])
            for n in range(30)
        ]
        for _ in range(600):  # until every question has its one final message, or a minute has passed
            if all(_final(messages_for(discord_standin, s)) for s in asked) and all(
                replies_to(discord_standin, m) for m in mentioned
            ):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # a duplicate would arrive about now
    faults = [r.fault for r in discord_standin.requests if r.fault]
    answered = sum(len(messages_for(discord_standin, s)) == 1 and _final(messages_for(discord_standin, s)) for s in asked)
    replied = sum(len(replies_to(discord_standin, m)) == 1 for m in mentioned)
    print(f"\nfault mix: {len(faults)} faults injected in {len(discord_standin.requests)} requests; "
          f"{answered}/70 /ask and {replied}/30 mentions answered exactly once")
    assert len(faults) >= 30
    assert (answered, replied) == (70, 30)


def _final(messages: list[dict]) -> bool:
    """One message that no longer shows "thinking…"."""
    return len(messages) == 1 and not messages[0]["flags"] & (1 << 7)
