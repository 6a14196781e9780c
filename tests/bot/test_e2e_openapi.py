"""End to end: every request body of a typical session matches Discord's own OpenAPI description.

(The stand-in fixture validates every test's requests when the description is
present; this test names the check, and skips with the reason when it is absent.)
"""

from __future__ import annotations

from tests.bot.e2e import ANSWERABLE, EDIT_ORIGINAL, FOLLOW_UP, OFF_TOPIC, click, copy_corpus, make_bot


async def test_a_whole_session_sends_only_bodies_discord_accepts(discord_standin, discord_openapi, clean_env, tmp_path):
    world = discord_standin.world
    bot = make_bot(
        discord_standin, copy_corpus(tmp_path), mod_log_channel_id=world.quotes.id, ask_defer_after_seconds=0
    )
    async with discord_standin.running(bot):
        answer = await discord_standin.wait_for_request(
            EDIT_ORIGINAL, interaction=await discord_standin.send_interaction("ask", {"question": ANSWERABLE})
        )
        message = answer.response_json
        await click(discord_standin, message, "Next passage")
        await click(discord_standin, message, "👍")
        declined = await discord_standin.send_interaction("ask", {"question": OFF_TOPIC})
        await discord_standin.wait_for_request(FOLLOW_UP, interaction=declined)
        await discord_standin.wait_for_reply(await discord_standin.send_message(f"{world.bot.mention} {ANSWERABLE}"))
        reload = await discord_standin.send_interaction("corpus reload", user=world.morgan)
        await discord_standin.wait_for_request(EDIT_ORIGINAL, interaction=reload, timeout=10)
        await discord_standin.wait_for_request(
            "POST /channels/{channel_id}/messages", where=lambda r: "Reload" in r.json["content"]
        )
    assert {request.route for request in discord_standin.requests} == {
        "GET /users/@me",
        "GET /oauth2/applications/@me",
        "GET /gateway/bot",
        "PUT /applications/{application_id}/guilds/{guild_id}/commands",
        "POST /interactions/{interaction_id}/{interaction_token}/callback",
        "POST /webhooks/{webhook_id}/{webhook_token}",
        "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original",
        "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/@original",
        "POST /channels/{channel_id}/messages",
    }
    discord_openapi.validate_requests(discord_standin.requests)
