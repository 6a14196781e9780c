"""End to end: Apps → Answer with quotebot on a member's message: private first, then posted as a reply."""

from __future__ import annotations

from quotebot.bot.cli.sync import sync_commands
from quotebot.bot.exts.questions.answer_from_message import MENU_NAME, NOTHING_TO_ANSWER
from tests.bot.e2e import (
    ANSWERABLE,
    CHANNEL_MESSAGE,
    CHANNEL_MESSAGE_WITH_SOURCE,
    EPHEMERAL,
    GLOBAL_SYNC,
    OFF_TOPIC,
    UPDATE_MESSAGE,
    assert_no_mentions_allowed,
    button_id,
    callback,
    click,
    copy_corpus,
    make_bot,
    replies_to,
)
from tests.discord_standin import Intent

MESSAGE_COMMAND = 3


async def test_quotebot_sync_registers_a_message_command_discord_accepts(
    discord_standin, discord_openapi, clean_env, tmp_path
):
    bot = make_bot(discord_standin, copy_corpus(tmp_path), load=False)
    await sync_commands(bot.settings, discord_standin.token, None)
    (menu,) = [command for command in discord_standin.registered_commands() if command["type"] == MESSAGE_COMMAND]
    assert (menu["name"], menu["description"], menu["default_member_permissions"]) == (MENU_NAME, "", None)
    assert "options" not in menu
    (sync,) = [request for request in discord_standin.requests if request.route == GLOBAL_SYNC]
    discord_openapi.validate_request(sync)


async def test_the_answer_is_private_until_posted_as_a_reply_that_pings_nobody(discord_standin, clean_env, tmp_path):
    world = discord_standin.world
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        asked = await discord_standin.send_message(f"@everyone {ANSWERABLE}", author=world.morgan)
        preview = await callback(discord_standin, await discord_standin.send_message_command(MENU_NAME, asked))
        shown = preview.response_json["resource"]["message"]
        post = await discord_standin.send_component(shown, button_id(shown, "Post as reply"))
        posted = await discord_standin.wait_for_reply(asked)
        done = await callback(discord_standin, post)
    assert not discord_standin.identify["intents"] & Intent.MESSAGE_CONTENT  # the text came in the interaction
    assert preview.json["type"] == CHANNEL_MESSAGE_WITH_SOURCE and preview.json["data"]["flags"] & EPHEMERAL
    assert "35,000" in preview.json["data"]["embeds"][0]["description"]
    assert [c["label"] for row in shown["components"] for c in row["components"]] == ["Post as reply"]
    assert str(posted.json["message_reference"]["message_id"]) == asked["id"]
    assert posted.json["allowed_mentions"]["parse"] == []
    (reply,) = replies_to(discord_standin, asked)
    assert reply["embeds"][0]["description"] == preview.json["data"]["embeds"][0]["description"]
    assert reply["embeds"][0]["footer"]["text"] == "Answer with quotebot, at Alice's request"
    assert [c["emoji"]["name"] for row in reply["components"] for c in row["components"]] == ["👍", "👎"]
    assert done.json["type"] == UPDATE_MESSAGE
    assert done.json["data"]["content"] == f"Posted as a reply: https://discord.com/channels/{world.guild.id}/{world.general.id}/{reply['id']}"
    assert done.json["data"]["components"] == []
    assert_no_mentions_allowed(discord_standin)


async def test_it_works_on_a_forum_post_and_its_votes_outlive_the_interaction(discord_standin, clean_env, tmp_path):
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path))
    async with discord_standin.running(bot):
        thread, opening = await discord_standin.open_thread(world.help_forum, "Resettled defectors", ANSWERABLE)
        preview = await callback(
            discord_standin, await discord_standin.send_message_command(MENU_NAME, opening, user=world.morgan)
        )
        shown = preview.response_json["resource"]["message"]
        await click(discord_standin, shown, "Post as reply", user=world.morgan)
        posted = await discord_standin.wait_for_reply(opening)
        thanks = await click(discord_standin, posted.response_json, "👎", user=world.alice)
        totals = await bot.services.questions.totals(world.guild.id, 0.0)
    assert posted.path_params["channel_id"] == str(thread.id)
    assert thanks.json["data"]["flags"] & EPHEMERAL and thanks.json["data"]["content"].startswith("Thanks")
    assert (totals.answered, totals.dislikes) == (1, 1)


async def test_a_decline_is_private_and_offers_nothing_to_post(discord_standin, clean_env, tmp_path):
    world = discord_standin.world
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        asked = await discord_standin.send_message(OFF_TOPIC, author=world.morgan)
        declined = await callback(discord_standin, await discord_standin.send_message_command(MENU_NAME, asked))
        empty = await discord_standin.send_message(f"<@{world.morgan.id}>", author=world.alice)
        refused = await callback(discord_standin, await discord_standin.send_message_command(MENU_NAME, empty))
    assert declined.json["data"]["flags"] & EPHEMERAL
    assert declined.json["data"]["content"].startswith("I couldn't find a passage that answers that.")
    assert not declined.json["data"].get("components")
    assert refused.json["data"]["content"] == NOTHING_TO_ANSWER
    assert not [request for request in discord_standin.requests if request.route == CHANNEL_MESSAGE]
