"""The stand-in's forum posts, threads and message context-menu commands, proven against unmodified discord.py."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from tests.discord_standin import DiscordStandin, InteractionRejected

CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"


def _make_bot(*, message_content: bool) -> tuple[discord.Client, list[tuple[str, object]]]:
    """A client with a message command "Quote it" that echoes the message; records thread and message events."""
    intents = discord.Intents.none()
    intents.guilds = intents.guild_messages = True
    intents.message_content = message_content
    client = discord.Client(intents=intents, guild_ready_timeout=0.1)
    tree = app_commands.CommandTree(client)
    events: list[tuple[str, object]] = []

    @tree.context_menu(name="Quote it")
    async def quote_it(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"> {message.content}", ephemeral=True)

    @client.event
    async def on_thread_create(thread: discord.Thread) -> None:
        events.append(("thread", (thread.id, type(thread.parent).__name__, thread.owner_id, thread.name)))

    @client.event
    async def on_message(message: discord.Message) -> None:
        channel = message.channel
        events.append(("message", (message.id, type(channel).__name__, channel.id, message.content)))

    async def setup_hook() -> None:
        await tree.sync()

    client.setup_hook = setup_hook  # type: ignore[method-assign]
    return client, events


async def _round_trip(standin: DiscordStandin, message: dict) -> None:
    """Use "Quote it" and wait for its answer: the events sent before it have been handled by then."""
    sent = await standin.send_message_command("Quote it", message)
    await standin.wait_for_request(CALLBACK, interaction=sent)


@pytest.mark.asyncio
@pytest.mark.parametrize(("in_forum", "message_content"), [(True, True), (False, False)], ids=["forum post", "thread"])
async def test_opening_a_thread_is_thread_create_then_its_first_message(
    discord_standin: DiscordStandin, in_forum: bool, message_content: bool
) -> None:
    """A forum post's first message has the thread's id; a text channel's thread starts with a message of its own.
    Without the Message Content intent, the messages arrive empty."""
    world = discord_standin.world
    client, events = _make_bot(message_content=message_content)
    async with discord_standin.running(client):
        thread, first = await discord_standin.open_thread(
            world.help_forum if in_forum else world.general, "Why?", "Why did it decline?"
        )
        later = await discord_standin.send_message("Anyone?", channel=thread, author=world.morgan)
        await _round_trip(discord_standin, later)
    assert (first["id"] == str(thread.id)) is in_forum
    assert events == [
        ("thread", (thread.id, "ForumChannel" if in_forum else "TextChannel", world.alice.id, "Why?")),
        ("message", (int(first["id"]), "Thread", thread.id, "Why did it decline?" if message_content else "")),
        ("message", (int(later["id"]), "Thread", thread.id, "Anyone?" if message_content else "")),
    ]


@pytest.mark.asyncio
async def test_a_dm_holds_no_threads(discord_standin: DiscordStandin) -> None:
    client, _ = _make_bot(message_content=False)
    async with discord_standin.running(client):
        with pytest.raises(InteractionRejected, match="cannot hold threads"):
            await discord_standin.open_thread(discord_standin.world.dm(discord_standin.world.alice), "DM", "?")


@pytest.mark.asyncio
async def test_a_message_command_carries_the_message_whatever_the_intents(discord_standin: DiscordStandin) -> None:
    world = discord_standin.world
    client, _ = _make_bot(message_content=False)
    async with discord_standin.running(client):
        message = await discord_standin.send_message("How many defected?", author=world.morgan)
        sent = await discord_standin.send_message_command("Quote it", message)
        callback = await discord_standin.wait_for_request(CALLBACK, interaction=sent)
        with pytest.raises(InteractionRejected, match="no message command"):
            await discord_standin.send_message_command("Unknown", message)
    data = sent.payload["data"]
    assert (data["type"], data["target_id"], data["name"]) == (3, message["id"], "Quote it")
    assert data["resolved"]["messages"][message["id"]]["content"] == "How many defected?"
    assert callback.json["data"]["content"] == "> How many defected?"
    assert callback.response_json["resource"]["message"]["type"] == 23  # CONTEXT_MENU_COMMAND
