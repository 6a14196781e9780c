"""Shared pieces of the end-to-end tests: the real ``QuoteBot`` against the Discord stand-in."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from quotebot.bot.client import QuoteBot
from quotebot.bot.settings import Settings
from quotebot.retrieval.index.embedding import TextEmbedder
from quotebot.retrieval.live import LiveEngine
from tests.discord_standin import CapturedRequest, DiscordStandin, SentInteraction

REPO = Path(__file__).resolve().parents[2]
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
FOLLOW_UP = "POST /webhooks/{webhook_id}/{webhook_token}"
EDIT_ORIGINAL = "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original"
DELETE_ORIGINAL = "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/@original"
CHANNEL_MESSAGE = "POST /channels/{channel_id}/messages"
GUILD_SYNC = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
GLOBAL_SYNC = "PUT /applications/{application_id}/commands"

EPHEMERAL = 1 << 6
CHANNEL_MESSAGE_WITH_SOURCE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7

# Answered from the shipped article with three ranked passages; and an off-topic one it declines.
ANSWERABLE = "how many north koreans have resettled in the south since the famine?"
OFF_TOPIC = "What is the capital of France?"


def copy_corpus(tmp_path: Path) -> Path:
    """A private copy of the shipped corpus (without its index cache), so tests may add and remove documents."""
    return Path(shutil.copytree(REPO / "corpus", tmp_path / "corpus", ignore=shutil.ignore_patterns(".*")))


def server_documents(bot: QuoteBot, guild_id: int, files: Mapping[str, bytes] | None = None) -> Path:
    """The folder of a server's own documents (created, with ``files`` written into it, when given)."""
    folder = bot.services.folders.documents(guild_id)
    if files is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
    return folder


def make_bot(
    standin: DiscordStandin, corpus: Path, *, load: bool = True, embedder: TextEmbedder | None = None, **settings: Any
) -> QuoteBot:
    """The production bot class, configured for the stand-in (commands synced to its guild, no cooldown); with
    ``embedder``, the semantic model on."""
    values: dict[str, Any] = {
        "discord_token": standin.token,
        "corpus": corpus,
        "dev_guild_id": standin.world.guild.id,
        "ask_cooldown_rate": 0,
    }
    live = LiveEngine(corpus, embedder)
    if load:
        live.load()
    return QuoteBot(Settings(**(values | settings)), live, guild_ready_timeout=0.1)


async def callback(standin: DiscordStandin, interaction: SentInteraction, *, timeout: float = 5.0) -> CapturedRequest:
    """The bot's one interaction response (type and data) to ``interaction``."""
    return await standin.wait_for_request(CALLBACK, interaction=interaction, timeout=timeout)


async def ask(standin: DiscordStandin, question: str = ANSWERABLE, **options: Any) -> CapturedRequest:
    """``/ask question`` (by alice in #general unless ``user=``/``channel=`` say otherwise); the bot's response."""
    return await callback(standin, await standin.send_interaction("ask", {"question": question}, **options))


async def click(standin: DiscordStandin, message: Mapping[str, Any], label: str, **options: Any) -> CapturedRequest:
    """A click on ``message``'s button labelled ``label`` (by alice unless ``user=``); the bot's response."""
    return await callback(standin, await standin.send_component(message, button_id(message, label), **options))


def button_id(message: Mapping[str, Any], label: str) -> str:
    """The custom_id of the button labelled ``label`` (discord.py generates them) on a message payload."""
    for row in message.get("components", []):
        for component in row.get("components", []):
            if component.get("label") == label or component.get("emoji", {}).get("name") == label:
                return component["custom_id"]
    raise AssertionError(f"no button {label!r} on message {message.get('id')}")


def delivers(request: CapturedRequest) -> bool:
    """Whether ``request`` put a message in front of a member: a message callback, the fill of a deferred
    response or a follow-up, that Discord accepted."""
    if not 200 <= request.status < 300:
        return False
    if request.route == CALLBACK:
        return request.json.get("type") == CHANNEL_MESSAGE_WITH_SOURCE
    return request.route in (EDIT_ORIGINAL, FOLLOW_UP)


def deliveries(standin: DiscordStandin, interaction: SentInteraction) -> list[CapturedRequest]:
    """The requests that delivered a message for ``interaction`` (see ``delivers``)."""
    return [request for request in standin.requests_for(interaction) if delivers(request)]


async def delivered(standin: DiscordStandin, interaction: SentInteraction, *, timeout: float = 10.0) -> dict[str, Any]:
    """The message body the member got for ``interaction`` (waiting for it), whichever route brought it."""
    request = await standin.wait_for_request(interaction=interaction, where=delivers, timeout=timeout)
    return request.json.get("data", request.json) if request.route == CALLBACK else request.json


def messages_for(standin: DiscordStandin, interaction: SentInteraction) -> list[dict[str, Any]]:
    """The messages a member can see that answer ``interaction`` (Discord marks them with its id)."""
    return [
        message
        for message in standin.messages.values()
        if (message.get("interaction_metadata") or {}).get("id") == str(interaction.id)
    ]


def replies_to(standin: DiscordStandin, message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The bot's messages replying to ``message``."""
    return [
        reply
        for reply in standin.messages.values()
        if (reply.get("message_reference") or {}).get("message_id") == str(message["id"])
        and reply["author"]["id"] == str(standin.world.bot.id)
    ]


def message_bodies(standin: DiscordStandin) -> list[tuple[CapturedRequest, dict[str, Any]]]:
    """Every request body that creates or edits a message with content or embeds (callbacks unwrapped)."""
    bodies = []
    for request in standin.requests:
        body = request.json
        if request.route == CALLBACK:
            body = body.get("data") if body.get("type") in (CHANNEL_MESSAGE_WITH_SOURCE, UPDATE_MESSAGE) else None
        elif (
            request.method not in ("POST", "PATCH") or not request.is_api or request.route in (GUILD_SYNC, GLOBAL_SYNC)
        ):
            body = None
        if isinstance(body, dict) and ("content" in body or "embeds" in body):
            bodies.append((request, body))
    return bodies


def assert_no_mentions_allowed(standin: DiscordStandin) -> None:
    """Every message the bot sent or edited forbade all pings (``parse: []``, no users, roles or replied user)."""
    bodies = message_bodies(standin)
    assert bodies, "the bot sent no message at all"
    for request, body in bodies:
        allowed = body.get("allowed_mentions")
        assert allowed is not None, f"#{request.index} {request.route} has no allowed_mentions"
        assert allowed.get("parse") == [], f"#{request.index} {request.route}: {allowed}"
        assert not allowed.get("users") and not allowed.get("roles") and not allowed.get("replied_user")
