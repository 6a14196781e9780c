"""End to end: moderators see what went unanswered in their server, grouped, most asked first."""

from __future__ import annotations

from tests.bot.e2e import ANSWERABLE, EPHEMERAL, ask, callback, click, copy_corpus, delivered, make_bot
from tests.conftest import SHIPPED_ARTICLE

FRANCE = ("What is the capital of France?", "capital of France?", "What is the capital of France")
WORLD_CUP = "Who won the 2018 World Cup?"
RESETTLED = (ANSWERABLE, "How many North Koreans resettled in the South after the famine")
ANSWERED = (
    "How many North Korean refugees were admitted to the United States from 2006 to 2019?",
    "How many defectors arrived in South Korea in 2019?",
    "Why did the number of defectors decline?",
    "Did the number of North Korean defectors decline under Kim Jong-un?",
)


async def test_ten_questions_four_declined_two_disliked_are_listed_grouped_most_asked_first(
    discord_standin, clean_env, tmp_path
):
    world = discord_standin.world
    # Not synced: the stand-in then delivers /corpus to anyone, as Discord does once a server admin lets members see it.
    bot = make_bot(discord_standin, copy_corpus(tmp_path), dev_guild_id=None)
    askers = (world.alice, world.morgan, world.owner)
    async with discord_standin.running(bot):
        declined = [await ask(discord_standin, q, user=u) for q, u in zip((*FRANCE, WORLD_CUP), (*askers, world.alice))]
        disliked = [await ask(discord_standin, q, user=u) for q, u in zip(RESETTLED, askers)]
        liked = [await ask(discord_standin, q) for q in ANSWERED]
        for answer in disliked:
            await click(discord_standin, answer.response_json["resource"]["message"], "👎", user=world.morgan)
        await click(discord_standin, liked[0].response_json["resource"]["message"], "👍", user=world.alice)
        refused = await callback(discord_standin, await discord_standin.send_interaction("corpus gaps", user=world.alice))
        report = await delivered(discord_standin, await discord_standin.send_interaction("corpus gaps", user=world.morgan))
        stats = await delivered(discord_standin, await discord_standin.send_interaction("corpus stats", user=world.morgan))
    assert all(r.json["data"]["flags"] & EPHEMERAL for r in declined)
    assert not any((r.json["data"].get("flags") or 0) & EPHEMERAL for r in (*disliked, *liked))
    assert refused.json["data"]["flags"] & EPHEMERAL
    assert refused.json["data"]["content"].startswith("Only moderators")
    (embed,) = report["embeds"]
    assert embed["title"] == "Unanswered here in the last 30 days"
    assert embed["description"].split("\n") == [
        "1. **3×** What is the capital of France? — declined 3 · 3 members",
        "  ↳ also asked as: capital of France?",
        f"2. **2×** {RESETTLED[0]} — 👎 2 · 2 members",
        f"  ↳ also asked as: {RESETTLED[1]}",
        f"3. **1×** {WORLD_CUP} — declined 1",
    ]
    assert embed["fields"] == [{"name": "Most 👎 documents", "value": f"`{SHIPPED_ARTICLE}` — 2 👎, 1 👍", "inline": False}]
    assert embed["footer"]["text"].startswith("6 questions from 3 members · questions are kept 90 days")
    assert stats["content"].split("\n")[-1] == (
        "Kept for `/corpus gaps` (last 90 days): 10 questions (6 answered, 0 unsure, 4 declined); 1 👍, 2 👎."
    )


async def test_a_server_keeping_no_questions_records_none(discord_standin, clean_env, tmp_path):
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path), question_retention_days=0)
    async with discord_standin.running(bot):
        await ask(discord_standin, FRANCE[0])
        report = await delivered(discord_standin, await discord_standin.send_interaction("corpus gaps", user=world.morgan))
    assert report["embeds"][0]["description"].startswith("Nothing")
    assert not bot.services.folders.questions_file(world.guild.id).exists()
