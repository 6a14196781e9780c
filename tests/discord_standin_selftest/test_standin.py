"""The Discord stand-in, proven against the unmodified discord.py 2.7.1 client.

A throwaway bot (``_make_bot``) exercises what quotebot will do: sync slash
commands, defer and follow up, answer a button click, read an attachment
option, reply to a mention. Each test checks what reached the wire.
"""

from __future__ import annotations

import dataclasses
import io
import re
import time

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.discord_standin import (
    ApplicationFlag,
    CapturedRequest,
    DiscordOpenAPI,
    DiscordStandin,
    InteractionRejected,
    SentInteraction,
    SpecViolation,
    World,
)
from tests.discord_standin.commands import CommandRegistry
from tests.discord_standin.rest import RestApi
from tests.discord_standin.world import Snowflakes

CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
FOLLOW_UP = "POST /webhooks/{webhook_id}/{webhook_token}"
CHANNEL_MESSAGE = "POST /channels/{channel_id}/messages"
COMMAND_SYNC = "PUT /applications/{application_id}/commands"


def _make_bot(*, message_content: bool = True) -> tuple[commands.Bot, list[str]]:
    """A minimal quotebot look-alike; also returns the message contents its on_message saw."""
    intents = discord.Intents.default()
    intents.message_content = message_content
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=intents, guild_ready_timeout=0.1)
    seen: list[str] = []

    class More(discord.ui.View):
        @discord.ui.button(label="More", custom_id="quote:more")
        async def more(self, interaction: discord.Interaction, button: discord.ui.Button[More]) -> None:
            await interaction.response.edit_message(content="…and the next passage", view=None)

    @bot.tree.command(description="Quote the passage that answers a question")
    async def quote(interaction: discord.Interaction, question: str) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(f"> {question}", view=More(), allowed_mentions=discord.AllowedMentions.none())

    corpus = app_commands.Group(
        name="corpus", description="Manage the corpus", default_permissions=discord.Permissions(manage_guild=True)
    )

    @corpus.command(description="Reload the corpus from disk")
    async def reload(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Reloaded.", ephemeral=True)

    @corpus.command(description="Add a document")
    async def add(interaction: discord.Interaction, document: discord.Attachment) -> None:
        data = await document.read()
        echo = discord.File(io.BytesIO(data), filename="echo.bin")
        await interaction.response.send_message(f"{document.filename}: {len(data)} bytes", file=echo)

    bot.tree.add_command(corpus)

    @bot.event
    async def on_message(message: discord.Message) -> None:
        if message.author.bot:
            return
        seen.append(message.content)
        if bot.user in message.mentions:
            await message.reply("Here is a quote.", mention_author=False)

    async def setup_hook() -> None:
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot, seen


async def _send(standin: DiscordStandin, method: str, path: str, body: object) -> None:
    """A raw request to the stand-in, bypassing discord.py (for bodies discord.py would never build)."""
    headers = {"Authorization": f"Bot {standin.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, standin.api_url + path, json=body, headers=headers),
    ):
        pass


async def _quote(standin: DiscordStandin, question: str) -> tuple[SentInteraction, CapturedRequest]:
    """Runs ``/quote question``; the interaction and the follow-up that answers it."""
    interaction = await standin.send_interaction("quote", {"question": question})
    return interaction, await standin.wait_for_request(FOLLOW_UP, interaction=interaction)


@pytest.mark.asyncio
async def test_login_identifies_with_token_and_intents_and_syncs_commands(discord_standin: DiscordStandin) -> None:
    bot, _ = _make_bot()
    started = time.monotonic()
    async with discord_standin.running(bot):
        startup = time.monotonic() - started
        assert bot.user is not None and bot.user.id == discord_standin.world.bot.id
        guild = bot.get_guild(discord_standin.world.guild.id)
        assert guild is not None and guild.me is not None
        assert guild.get_channel(discord_standin.world.general.id).name == "general"  # type: ignore[union-attr]
    assert startup < 1.0
    identify = discord_standin.identify
    assert identify is not None
    assert identify["token"] == discord_standin.token
    assert identify["intents"] == bot.intents.value
    login = discord_standin.requests[0]
    assert login.route == "GET /users/@me"
    assert login.headers["Authorization"] == f"Bot {discord_standin.token}"
    sync = next(r for r in discord_standin.requests if r.route == COMMAND_SYNC)
    assert sync.path_params["application_id"] == str(discord_standin.world.application_id)
    assert [c["name"] for c in sync.json] == ["quote", "corpus"]
    assert sync.response_json == discord_standin.registered_commands()
    assert all(c["id"] and c["version"] for c in sync.response_json)


@pytest.mark.asyncio
async def test_slash_command_is_deferred_then_followed_up_without_mentions(discord_standin: DiscordStandin) -> None:
    bot, _ = _make_bot()
    async with discord_standin.running(bot):
        interaction, follow_up = await _quote(discord_standin, "Who defected?")
    (callback,) = (r for r in discord_standin.requests_for(interaction) if r.route == CALLBACK)
    assert callback.query["with_response"] == "1"
    assert callback.json == {"type": 5}
    assert callback.response_json["interaction"]["response_message_loading"] is True
    # As on Discord, the first follow-up after a defer fills the "thinking" message.
    assert follow_up.response_json["id"] == callback.response_json["interaction"]["response_message_id"]
    assert follow_up.response_json["flags"] == 0
    assert follow_up.path_params["webhook_id"] == str(discord_standin.world.application_id)
    assert follow_up.json["content"] == "> Who defected?"
    assert follow_up.json["allowed_mentions"] == {"parse": []}
    assert [r.route for r in discord_standin.requests_for(interaction)] == [CALLBACK, FOLLOW_UP]


@pytest.mark.asyncio
async def test_button_click_reaches_the_view_and_edits_the_message(discord_standin: DiscordStandin) -> None:
    bot, _ = _make_bot()
    async with discord_standin.running(bot):
        _, follow_up = await _quote(discord_standin, "When?")
        click = await discord_standin.send_component(follow_up.response_json, "quote:more")
        update = await discord_standin.wait_for_request(CALLBACK, interaction=click)
    assert update.json["type"] == 7
    edited = discord_standin.messages[int(follow_up.response_json["id"])]
    assert edited["content"] == "…and the next passage"
    assert edited["components"] == []
    with pytest.raises(InteractionRejected, match="no component"):
        await discord_standin.send_component(edited, "quote:more")


@pytest.mark.asyncio
async def test_subcommand_with_attachment_option_downloads_and_uploads(discord_standin: DiscordStandin) -> None:
    bot, _ = _make_bot()
    data = bytes(range(256)) * 3 + b"\r\n--boundary-lookalike\r\n"
    document = discord_standin.add_attachment("notes.md", data)
    async with discord_standin.running(bot):
        interaction = await discord_standin.send_interaction(
            "corpus add", {"document": document}, user=discord_standin.world.morgan
        )
        callback = await discord_standin.wait_for_request(CALLBACK, interaction=interaction)
    option = interaction.payload["data"]["options"][0]
    assert option["name"] == "add" and option["type"] == 1
    assert option["options"] == [{"name": "document", "type": 11, "value": str(document.id)}]
    download = next(r for r in discord_standin.requests if r.route.startswith("GET /attachments/"))
    assert download.status == 200
    assert callback.headers["Content-Type"].startswith("multipart/form-data")
    assert callback.json["type"] == 4
    assert callback.json["data"]["content"] == f"notes.md: {len(data)} bytes"
    assert [(f.field, f.filename, f.data) for f in callback.files] == [("files[0]", "echo.bin", data)]


@pytest.mark.asyncio
async def test_default_member_permissions_gate_the_command_like_discord(discord_standin: DiscordStandin) -> None:
    bot, _ = _make_bot()
    async with discord_standin.running(bot):
        with pytest.raises(InteractionRejected, match="default_member_permissions"):
            await discord_standin.send_interaction("corpus reload", user=discord_standin.world.alice)
        with pytest.raises(InteractionRejected, match="needs a subcommand"):
            await discord_standin.send_interaction("corpus", user=discord_standin.world.morgan)
        with pytest.raises(InteractionRejected, match="no option"):
            await discord_standin.send_interaction("quote", {"question": "?", "questoin": "?"})
        interaction = await discord_standin.send_interaction("corpus reload", user=discord_standin.world.morgan)
        callback = await discord_standin.wait_for_request(CALLBACK, interaction=interaction)
    assert callback.json == {"type": 4, "data": {"content": "Reloaded.", "tts": False, "flags": 64}}
    assert callback.response_json["interaction"]["response_message_ephemeral"] is True


@pytest.mark.asyncio
async def test_mention_gets_a_reply_with_message_reference(discord_standin: DiscordStandin) -> None:
    bot, seen = _make_bot()
    async with discord_standin.running(bot):
        message = await discord_standin.send_message(f"{discord_standin.world.bot.mention} quote me something")
        reply = await discord_standin.wait_for_reply(message)
    assert seen == [message["content"]]
    assert reply.path_params["channel_id"] == str(discord_standin.world.general.id)
    assert str(reply.json["message_reference"]["message_id"]) == message["id"]
    assert reply.json["allowed_mentions"]["replied_user"] is False
    assert reply.response_json["type"] == 19
    assert reply.response_json["referenced_message"]["id"] == message["id"]


@pytest.mark.asyncio
async def test_message_content_is_withheld_without_the_intent_unless_mentioned(discord_standin: DiscordStandin) -> None:
    bot, seen = _make_bot(message_content=False)
    async with discord_standin.running(bot):
        await discord_standin.send_message("just chatting")
        mention = await discord_standin.send_message(f"{discord_standin.world.bot.mention} hi")
        await discord_standin.wait_for_reply(mention)
    assert seen == ["", mention["content"]]


@pytest.mark.asyncio
async def test_privileged_intent_not_granted_fails_startup_cleanly() -> None:
    ungranted = dataclasses.replace(World.default(), application_flags=ApplicationFlag.APPLICATION_COMMAND_BADGE)
    bot, _ = _make_bot(message_content=True)
    async with DiscordStandin(ungranted) as standin:
        with standin.patch_discord(), pytest.raises(discord.PrivilegedIntentsRequired):
            async with standin.running(bot):
                pass
    assert bot.is_closed()


@pytest.mark.asyncio
async def test_wrong_token_is_refused_at_login(discord_standin: DiscordStandin) -> None:
    bot, _ = _make_bot()
    with pytest.raises(discord.LoginFailure):
        await bot.login("not-the-token")
    await bot.close()
    assert discord_standin.requests[-1].status == 401


@pytest.mark.asyncio
async def test_every_request_and_answer_matches_discords_openapi(
    discord_standin: DiscordStandin, discord_openapi: DiscordOpenAPI
) -> None:
    bot, _ = _make_bot()
    document = discord_standin.add_attachment("notes.md", b"# Notes\n")
    async with discord_standin.running(bot):
        _, follow_up = await _quote(discord_standin, "Why?")
        clicked = await discord_standin.send_component(follow_up.response_json, "quote:more")
        await discord_standin.wait_for_request(CALLBACK, interaction=clicked)
        added = await discord_standin.send_interaction(
            "corpus add", {"document": document}, user=discord_standin.world.owner
        )
        await discord_standin.wait_for_request(CALLBACK, interaction=added)
        message = await discord_standin.send_message(f"{discord_standin.world.bot.mention} hello")
        await discord_standin.wait_for_reply(message)
    api = [r for r in discord_standin.requests if r.is_api]
    assert {CALLBACK, FOLLOW_UP, CHANNEL_MESSAGE, COMMAND_SYNC} <= {r.route for r in api}
    discord_openapi.validate_requests(api)
    assert [e for r in api for e in discord_openapi.response_errors(r)] == []
    ready = next(f.d for f in discord_standin.gateway_frames if f.t == "READY")
    guild = next(f.d for f in discord_standin.gateway_frames if f.t == "GUILD_CREATE")
    created = next(f.d for f in discord_standin.gateway_frames if f.t == "MESSAGE_CREATE")
    gateway_objects = [("UserPIIResponse", ready["user"]), ("MessageResponse", created)]
    gateway_objects += [("GuildRoleResponse", role) for role in guild["roles"]]
    gateway_objects += [("GuildChannelResponse", channel) for channel in guild["channels"]]
    gateway_objects += [("GuildMemberResponse", member) for member in guild["members"]]
    assert [e for name, payload in gateway_objects for e in discord_openapi.schema_errors(name, payload)] == []


@pytest.mark.asyncio
async def test_the_openapi_check_rejects_invalid_bodies(discord_openapi: DiscordOpenAPI) -> None:
    # A bare stand-in, not the fixture: its teardown would rightly fail on these bodies.
    async with DiscordStandin() as standin:
        channel = standin.world.general.id
        application = standin.world.application_id
        await _send(standin, "POST", "/interactions/1/token/callback", {"type": 99})
        await _send(
            standin, "POST", f"/channels/{channel}/messages", {"content": "x", "allowed_mentions": {"parse": "users"}}
        )
        await _send(standin, "POST", f"/channels/{channel}/messages", {"content": 5})
        await _send(standin, "PUT", f"/applications/{application}/commands", [{"name": "n" * 33}])
        # Valid, with an integer snowflake as discord.py sends them: must pass.
        await _send(
            standin, "POST", f"/channels/{channel}/messages", {"content": "ok", "allowed_mentions": {"users": [1]}}
        )
    *invalid, valid = standin.requests
    expected = [
        "closest: at $.type: 99 is not one of",
        "$.allowed_mentions.parse: 'users' is not of type",
        "$.content: 5 is not of type",
        "$[0].name: 'nnn",
    ]
    for request, reason in zip(invalid, expected, strict=True):
        with pytest.raises(SpecViolation, match=re.escape(reason)):
            discord_openapi.validate_request(request)
    discord_openapi.validate_request(valid)
    with pytest.raises(SpecViolation, match=r"^4 request"):
        discord_openapi.validate_requests(standin.requests)


@pytest.mark.asyncio
async def test_unknown_routes_are_answered_404_and_detected() -> None:
    bot, _ = _make_bot()
    async with DiscordStandin() as standin:
        with standin.patch_discord():
            async with standin.running(bot):
                with pytest.raises(discord.NotFound):
                    await bot.fetch_sticker(1234)
        unknown: list[CapturedRequest] = list(standin.unknown_requests)
        assert [r.route for r in unknown] == ["GET /stickers/1234"]
        with pytest.raises(AssertionError, match="does not serve"):
            standin.assert_no_unknown_routes()


@pytest.mark.asyncio
async def test_a_crash_inside_the_standin_is_a_recorded_fault_not_a_retried_5xx(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def crash(self: RestApi, request: object) -> None:
        raise KeyError("stand-in bug")

    monkeypatch.setattr(RestApi, "get_channel", crash)
    bot, _ = _make_bot()
    async with DiscordStandin() as standin:
        with standin.patch_discord():
            async with standin.running(bot):
                with pytest.raises(discord.HTTPException) as answer:
                    await bot.fetch_channel(standin.world.general.id)
    assert answer.value.status == 400
    with pytest.raises(AssertionError, match="stand-in bug"):
        standin.assert_no_faults()


@pytest.mark.asyncio
async def test_waiting_names_only_served_routes_and_times_out_with_a_log(discord_standin: DiscordStandin) -> None:
    with pytest.raises(ValueError, match="not a route"):
        await discord_standin.wait_for_request("POST /channel/{channel_id}/messages")
    with pytest.raises(TimeoutError, match="requests so far"):
        await discord_standin.wait_for_request(CHANNEL_MESSAGE, timeout=0.05)


def test_subcommand_groups_nest_as_discord_sends_them() -> None:
    world = World.default()
    registry = CommandRegistry(world, Snowflakes())
    leaf = {
        "type": 1,
        "name": "reload",
        "description": "Reload",
        "options": [{"type": 5, "name": "force", "description": "f"}],
    }
    group = {"type": 2, "name": "index", "description": "Index", "options": [leaf]}
    registry.overwrite(world.guild.id, [{"name": "corpus", "description": "Corpus", "options": [group]}])
    data = registry.interaction_data("corpus index reload", {"force": True}, user=world.owner, base_url="http://x", guild=world.guild)
    assert data["guild_id"] == str(world.guild.id)
    assert data["options"] == [
        {
            "type": 2,
            "name": "index",
            "options": [{"type": 1, "name": "reload", "options": [{"name": "force", "type": 5, "value": True}]}],
        }
    ]
    with pytest.raises(InteractionRejected, match="cannot take"):
        registry.interaction_data(
            "corpus index reload", {"force": "yes"}, user=world.owner, base_url="http://x", guild=world.guild
        )
