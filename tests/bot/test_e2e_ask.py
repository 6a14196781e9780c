"""End to end: members ask with /ask and by mention; what the bot really sends back."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import sys

import discord

from quotebot.bot.utils.reporting import UNEXPECTED
from tests.bot.e2e import (
    ANSWERABLE,
    CHANNEL_MESSAGE,
    CHANNEL_MESSAGE_WITH_SOURCE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    DELETE_ORIGINAL,
    EDIT_ORIGINAL,
    EPHEMERAL,
    FOLLOW_UP,
    OFF_TOPIC,
    UPDATE_MESSAGE,
    ask,
    assert_no_mentions_allowed,
    button_id,
    callback,
    click,
    copy_corpus,
    make_bot,
)
from tests.bot.test_embeds import embed_within_limits
from tests.discord_standin import InteractionRejected


def embed_of(body: dict) -> discord.Embed:
    (embed,) = body["embeds"]
    return discord.Embed.from_dict(embed)


async def test_an_answer_is_a_public_embed_with_buttons_and_no_pings(discord_standin, clean_env, tmp_path):
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        response = await ask(discord_standin)
    assert response.json["type"] == CHANNEL_MESSAGE_WITH_SOURCE
    data = response.json["data"]
    assert not (data.get("flags") or 0) & EPHEMERAL
    embed = embed_of(data)
    assert embed.author.name == f"❓ {ANSWERABLE}"
    assert embed.title == "Number of North Korean Defectors Declines"
    assert embed.description.startswith("> ") and "35,000" in embed.description
    assert [field.name for field in embed.fields] == ["In context", "Source"]
    assert embed.fields[1].value.startswith(
        "— *Number of North Korean Defectors Declines*, Robert R. King, The Peninsula"
    )
    labels = [c.get("label") or c["emoji"]["name"] for row in data["components"] for c in row["components"]]
    assert labels == ["Next passage", "👍", "👎", "Delete"]  # the article has no URL: no link button
    assert_no_mentions_allowed(discord_standin)


async def test_a_decline_is_ephemeral_plain_text(discord_standin, clean_env, tmp_path):
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        response = await ask(discord_standin, OFF_TOPIC)
    data = response.json["data"]
    assert response.json["type"] == CHANNEL_MESSAGE_WITH_SOURCE
    assert data["flags"] & EPHEMERAL
    assert data["content"].startswith("I couldn't find a passage that answers that.")
    assert not data.get("embeds") and not data.get("components")
    assert_no_mentions_allowed(discord_standin)


async def test_slow_retrieval_defers_then_fills_the_deferred_response(discord_standin, clean_env, tmp_path):
    bot = make_bot(discord_standin, copy_corpus(tmp_path), ask_defer_after_seconds=0)
    async with discord_standin.running(bot):
        sent = await discord_standin.send_interaction("ask", {"question": ANSWERABLE})
        edit = await discord_standin.wait_for_request(EDIT_ORIGINAL, interaction=sent)
    first, second = discord_standin.requests_for(sent)
    assert first.json["type"] == DEFERRED_CHANNEL_MESSAGE
    assert not (first.json.get("data") or {}).get("flags", 0) & EPHEMERAL
    assert second.index == edit.index  # an edit, which is safe to repeat, rather than a follow-up
    assert "35,000" in embed_of(edit.json).description
    assert edit.response_json["id"] == first.response_json["interaction"]["response_message_id"]
    assert_no_mentions_allowed(discord_standin)


async def test_a_slow_decline_replaces_the_public_thinking_message_with_an_ephemeral_one(
    discord_standin, clean_env, tmp_path
):
    bot = make_bot(discord_standin, copy_corpus(tmp_path), ask_defer_after_seconds=0)
    async with discord_standin.running(bot):
        sent = await discord_standin.send_interaction("ask", {"question": OFF_TOPIC})
        await discord_standin.wait_for_request(FOLLOW_UP, interaction=sent)
    defer, delete, follow_up = discord_standin.requests_for(sent)
    assert defer.json["type"] == DEFERRED_CHANNEL_MESSAGE
    assert delete.route == DELETE_ORIGINAL
    assert follow_up.route == FOLLOW_UP and follow_up.json["flags"] & EPHEMERAL
    assert follow_up.json["content"].startswith("I couldn't find")


async def test_cooldown_refuses_privately_and_says_when(discord_standin, clean_env, tmp_path):
    bot = make_bot(discord_standin, copy_corpus(tmp_path), ask_cooldown_rate=1, ask_cooldown_seconds=60)
    async with discord_standin.running(bot):
        first = await ask(discord_standin)
        second = await ask(discord_standin)
        other = await ask(discord_standin, user=discord_standin.world.morgan)
    assert "embeds" in first.json["data"]
    refusal = second.json["data"]
    assert refusal["flags"] & EPHEMERAL
    assert refusal["content"].startswith("You're asking faster than I answer. Please try again <t:")
    assert refusal["content"].endswith(":R>.")
    assert "embeds" in other.json["data"]  # the limit is per user
    assert_no_mentions_allowed(discord_standin)


async def test_questions_outside_the_allowed_channels_are_refused(discord_standin, clean_env, tmp_path):
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path), allowed_channel_ids=[world.quotes.id])
    async with discord_standin.running(bot):
        refused = await ask(discord_standin)
        allowed = await ask(discord_standin, channel=world.quotes)
        await discord_standin.send_message(f"{world.bot.mention} {ANSWERABLE}")  # in #general: ignored
        message = await discord_standin.send_message(f"{world.bot.mention} {ANSWERABLE}", channel=world.quotes)
        await discord_standin.wait_for_reply(message)
    assert refused.json["data"]["flags"] & EPHEMERAL and "this channel" in refused.json["data"]["content"]
    assert "embeds" in allowed.json["data"]
    replies = [r for r in discord_standin.requests if r.route == CHANNEL_MESSAGE]
    assert [int(r.path_params["channel_id"]) for r in replies] == [world.quotes.id]


async def test_a_mention_is_answered_as_a_reply_that_pings_nobody(discord_standin, clean_env, tmp_path):
    world = discord_standin.world
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        message = await discord_standin.send_message(
            f"{world.bot.mention} @everyone <@&{world.guild.roles[1].id}> {ANSWERABLE}"
        )
        reply = await discord_standin.wait_for_reply(message)
    body = reply.json
    assert body["content"].startswith("> ") and "35,000" in body["content"]
    assert "\n— *Number of North Korean Defectors Declines*, Robert R. King, The Peninsula" in body["content"]
    assert len(body["content"]) <= 2000
    assert body["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert body["message_reference"]["message_id"] in (message["id"], int(message["id"]))
    assert_no_mentions_allowed(discord_standin)


async def test_the_bot_ignores_its_own_messages_and_unaddressed_ones(discord_standin, clean_env, tmp_path):
    world = discord_standin.world
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        await discord_standin.send_message(f"{world.bot.mention} {ANSWERABLE}", author=world.bot)
        await discord_standin.send_message(ANSWERABLE)
        last = await discord_standin.send_message(f"{world.bot.mention} {OFF_TOPIC}")
        reply = await discord_standin.wait_for_reply(last)
    assert reply.json["content"].startswith("I couldn't find")
    assert [r.route for r in discord_standin.requests].count(CHANNEL_MESSAGE) == 1


async def test_mention_cooldown_notice_removes_itself(discord_standin, clean_env, tmp_path):
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path), ask_cooldown_rate=1, ask_cooldown_seconds=0.5)
    async with discord_standin.running(bot):
        await discord_standin.wait_for_reply(await discord_standin.send_message(f"{world.bot.mention} {ANSWERABLE}"))
        refused = await discord_standin.wait_for_reply(
            await discord_standin.send_message(f"{world.bot.mention} {ANSWERABLE}")
        )
        deleted = await discord_standin.wait_for_request(
            "DELETE /channels/{channel_id}/messages/{message_id}", timeout=5
        )
    assert "try again <t:" in refused.json["content"]
    assert deleted.path_params["message_id"] == refused.response_json["id"]


async def test_next_passage_walks_the_results_for_the_asker_only(discord_standin, clean_env, tmp_path):
    world = discord_standin.world
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        answer = await ask(discord_standin)
        message = answer.response_json["resource"]["message"]
        by_other = await click(discord_standin, message, "Next passage", user=world.morgan)
        pages = [(await click(discord_standin, message, "Next passage")).json for _ in range(3)]
    assert by_other.json["data"]["flags"] & EPHEMERAL
    assert by_other.json["data"]["content"] == "Only the person who asked can do that."
    assert [page["type"] for page in pages] == [UPDATE_MESSAGE] * 3
    footers = [embed_of(page["data"]).footer.text for page in pages]
    assert footers == ["Passage 2 of 3", "Passage 3 of 3", "Passage 1 of 3"]
    assert embed_of(pages[2]["data"]).description == embed_of(answer.json["data"]).description
    assert_no_mentions_allowed(discord_standin)


async def test_feedback_is_acknowledged_privately_and_logged(discord_standin, clean_env, tmp_path, caplog):
    feedback = tmp_path / "feedback.jsonl"
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path), feedback_log=feedback)
    caplog.set_level(logging.INFO, logger="quotebot")
    async with discord_standin.running(bot):
        answer = await ask(discord_standin)
        message = answer.response_json["resource"]["message"]
        up = await click(discord_standin, message, "👍", user=world.morgan)
        down = await click(discord_standin, message, "👎")
    for thanks in (up, down):
        assert thanks.json["data"]["flags"] & EPHEMERAL and thanks.json["data"]["content"].startswith("Thanks")
    entries = [json.loads(line) for line in feedback.read_text().splitlines()]
    passage_id = bot.services.live.ask(ANSWERABLE).hits[0].passage.id
    with contextlib.closing(sqlite3.connect(bot.services.folders.questions_file(world.guild.id))) as db:
        voters = dict(db.execute("SELECT helpful, voter FROM votes"))
    assert [(e["question"], e["passage_id"], e["verdict"], e["server_id"], e["voter"]) for e in entries] == [
        (ANSWERABLE, passage_id, "helpful", str(world.guild.id), voters[1]),
        (ANSWERABLE, passage_id, "unhelpful", str(world.guild.id), voters[0]),
    ]
    user_ids = (str(world.alice.id), str(world.morgan.id))
    assert len(set(voters.values())) == 2 and not any(user_id in feedback.read_text() for user_id in user_ids)
    assert "Feedback helpful on passage" in caplog.text
    logged = [record.getMessage() for record in caplog.records if record.levelno >= logging.INFO]
    assert not any(ANSWERABLE in line or any(user_id in line for user_id in user_ids) for line in logged)


async def test_the_asker_can_delete_the_answer(discord_standin, clean_env, tmp_path):
    world = discord_standin.world
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        answer = await ask(discord_standin)
        message = answer.response_json["resource"]["message"]
        refused = await click(discord_standin, message, "Delete", user=world.morgan)
        delete = await discord_standin.send_component(message, button_id(message, "Delete"))
        await discord_standin.wait_for_request(DELETE_ORIGINAL, interaction=delete)
    assert refused.json["data"]["flags"] & EPHEMERAL
    acknowledgement = discord_standin.requests_for(delete)[0]
    assert acknowledgement.route.endswith("/callback") and acknowledgement.json["type"] == DEFERRED_UPDATE_MESSAGE
    assert int(message["id"]) not in discord_standin.messages


async def test_huge_documents_still_fit_every_embed_limit(discord_standin, clean_env, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sentence = "The zanzibarite ore deposits of the valley were surveyed again in spring. "
    title = "A survey of zanzibarite " + "very " * 200 + "long title"
    (corpus / "huge.md").write_text(
        f"---\ntitle: {title}\nauthor: {'Someone ' * 100}\nurl: https://example.org/{'a' * 300}\n---\n"
        f"## {'Section ' * 100}\n\n" + sentence * 400 + "\n"
    )
    async with discord_standin.running(make_bot(discord_standin, corpus)):
        data = (await ask(discord_standin, "Where were the zanzibarite ore deposits surveyed?")).json["data"]
        mention = await discord_standin.send_message(
            f"{discord_standin.world.bot.mention} zanzibarite ore deposits survey?"
        )
        reply = await discord_standin.wait_for_reply(mention)
    embed = embed_of(data)
    embed_within_limits(embed)
    assert "zanzibarite" in embed.description
    assert len(reply.json["content"]) <= 2000


async def test_an_unexpected_error_gets_an_apology_and_a_logged_traceback(
    discord_standin, clean_env, tmp_path, caplog, monkeypatch
):
    bot = make_bot(discord_standin, copy_corpus(tmp_path))

    def broken(question: str, top_k: int = 3):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(bot.services.live, "ask", broken)
    async with discord_standin.running(bot):
        response = await ask(discord_standin)
        message = await discord_standin.send_message(f"{discord_standin.world.bot.mention} {ANSWERABLE}")
        reply = await discord_standin.wait_for_reply(message)
    assert response.json["data"] == {"content": UNEXPECTED, "flags": EPHEMERAL, "allowed_mentions": {"parse": []}} | {
        key: value
        for key, value in response.json["data"].items()
        if key not in ("content", "flags", "allowed_mentions")
    }
    assert reply.json["content"] == UNEXPECTED
    assert "index exploded" in caplog.text and "Traceback" in caplog.text
    assert "index exploded" not in json.dumps([r.json for r in discord_standin.requests])


async def test_buttons_retire_before_the_token_expires_however_often_they_are_clicked(
    discord_standin, clean_env, tmp_path, monkeypatch
):
    """The buttons' lifetime is an absolute deadline: clicks every 0.3 s would keep an idle timeout
    of 1 s from ever firing until the token had expired and the retiring edit were refused."""
    corpus = copy_corpus(tmp_path)
    article = corpus / "number-of-north-korean-defectors-declines.md"
    article.write_text(article.read_text().replace("---\n", "---\nurl: https://example.org/defectors\n", 1))
    discord_standin.timing.token_lifetime = 2.5
    bot = make_bot(discord_standin, corpus)
    async with discord_standin.running(bot):
        # load_extension executes the package afresh: patch the module the loaded package imported.
        monkeypatch.setattr(sys.modules["quotebot.bot.exts.questions.answer_view"], "VIEW_LIFETIME", 1.0)
        sent = await discord_standin.send_interaction("ask", {"question": ANSWERABLE})
        answer = await callback(discord_standin, sent)
        message = answer.response_json["resource"]["message"]
        clicks = 0
        # Once the buttons are gone the stand-in refuses a click; a click that races the retirement
        # (view stopped, edit not yet arrived) gets no answer at all, as on Discord.
        with contextlib.suppress(InteractionRejected, TimeoutError):
            for _ in range(10):
                await click(discord_standin, message, "Next passage")
                clicks += 1
                await asyncio.sleep(0.3)
        retired = await discord_standin.wait_for_request(EDIT_ORIGINAL, interaction=sent, timeout=5)
    assert clicks >= 2
    assert retired.status == 200  # within the token's lifetime
    before = [c for row in answer.json["data"]["components"] for c in row["components"]]
    after = [c for row in retired.json["components"] for c in row["components"]]
    assert [c.get("label") for c in before] == ["Next passage", None, None, "Delete", "Source"]
    assert [(c.get("label"), c["url"].split("#")[0]) for c in after] == [("Source", "https://example.org/defectors")]
    assert before[-1]["url"].startswith("https://example.org/defectors#:~:text=")


async def test_next_passage_on_a_mention_reply_edits_its_text(discord_standin, clean_env, tmp_path):
    world = discord_standin.world
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        reply = await discord_standin.wait_for_reply(
            await discord_standin.send_message(f"{world.bot.mention} {ANSWERABLE}")
        )
        message = reply.response_json
        page = await click(discord_standin, message, "Next passage")
    assert page.json["type"] == UPDATE_MESSAGE
    content = page.json["data"]["content"]
    assert content.startswith("> ") and content.endswith("-# Passage 2 of 3") and len(content) <= 2000
    assert page.json["data"]["allowed_mentions"]["parse"] == []


async def test_next_passage_after_a_metadata_answer_walks_every_hit(discord_standin, clean_env, tmp_path):
    """A question about the document is answered from its front matter; the passages it matched all follow."""
    question = "Who wrote the article about North Korean defectors?"
    bot = make_bot(discord_standin, copy_corpus(tmp_path))
    async with discord_standin.running(bot):
        answer = await ask(discord_standin, question)
        message = answer.response_json["resource"]["message"]
        pages = [embed_of((await click(discord_standin, message, "Next passage")).json["data"]) for _ in range(4)]
    hits = bot.services.live.ask(question).hits
    first = embed_of(answer.json["data"])
    assert "was written by Robert R. King" in first.description
    assert first.footer.text == f"Passage 1 of {len(hits) + 1}"
    assert [page.footer.text for page in pages] == [f"Passage {n} of 4" for n in (2, 3, 4, 1)]
    for page, hit in zip(pages, hits, strict=False):  # hits[0] is the second page, not skipped
        assert page.description.replace("**", "").replace("\\", "")[2:40] in hit.passage.text


async def test_a_direct_message_is_answered_in_the_dm_and_its_buttons_work(discord_standin, clean_env, tmp_path):
    world = discord_standin.world
    dm = world.dm(world.alice)
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        question = await discord_standin.send_message(ANSWERABLE, channel=dm)  # no mention needed in a DM
        reply = await discord_standin.wait_for_reply(question)
        page = await click(discord_standin, reply.response_json, "Next passage")
        off_topic = await discord_standin.send_message(OFF_TOPIC, channel=dm)
        decline = await discord_standin.wait_for_reply(off_topic)
    assert int(reply.path_params["channel_id"]) == dm.id
    assert reply.json["content"].startswith("> ") and "35,000" in reply.json["content"]
    assert "guild_id" not in reply.response_json["message_reference"]
    assert page.json["type"] == UPDATE_MESSAGE and page.json["data"]["content"].endswith("-# Passage 2 of 3")
    assert decline.json["content"].startswith("I couldn't find")
    assert_no_mentions_allowed(discord_standin)
