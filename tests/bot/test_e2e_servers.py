"""End to end: two servers, A ("Quote Lab") and B ("Second Lab"), each with its own corpus, and a shared one.

What a moderator of B does never changes what A's members see, nor any file outside B's folder; the
shared corpus is the owner's alone; settings are per server; leaving a server drops its index.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from quotebot.bot.cli.sync import sync_commands
from quotebot.bot.exts.corpus.targets import SHIPPED_IS_READ_ONLY
from quotebot.bot.utils.checks import NotOwner
from quotebot.retrieval.ingest.shipped import SHIPPED_CORPUS as INSTALLED_SHIPPED_CORPUS
from tests.bot.e2e import (
    ANSWERABLE,
    EDIT_ORIGINAL,
    EPHEMERAL,
    ask,
    button_id,
    callback,
    copy_corpus,
    make_bot,
    server_documents,
)
from tests.conftest import SHIPPED_ARTICLE
from tests.discord_standin import DiscordStandin, InteractionRejected

BASALT = b"# Basalt columns\n\nThe basalt columns of the eastern cliffs cooled from lava some 60 million years ago.\n"
BASALT_QUESTION = "How long ago did the basalt columns of the eastern cliffs cool from lava?"
TIDE_POOLS = b"# Tide pools\n\nHermit crabs and purple sea urchins live in the tide pools below the old pier.\n"
TIDE_QUESTION = "What lives in the tide pools below the old pier?"
ZANZIBARITE = b"# Zanzibarite\n\nThe zanzibarite deposits of the northern valley were first surveyed in 1911.\n"
ZANZIBARITE_QUESTION = "When were the zanzibarite deposits first surveyed?"


async def synced_bot(standin: DiscordStandin, corpus: Path, **settings: Any):  # type: ignore[no-untyped-def]
    """The bot with its commands registered globally (``quotebot sync``), as every server then sees them."""
    bot = make_bot(standin, corpus, dev_guild_id=None, **settings)
    await sync_commands(bot.settings, standin.token, None)
    return bot


async def text_of(standin: DiscordStandin, sent, *, deferred: bool = False) -> str:  # type: ignore[no-untyped-def]
    """What the member was told: the callback's content, or (``deferred``) the edit that filled a deferral."""
    if deferred:
        return (await standin.wait_for_request(EDIT_ORIGINAL, interaction=sent, timeout=10)).json["content"]
    return (await callback(standin, sent)).json["data"]["content"]


def second_server(standin: DiscordStandin):  # type: ignore[no-untyped-def]
    """B, its moderator beth (Manage Server there, nothing in A), and its #lobby."""
    b = standin.world.guilds[1]
    return b, standin.world.user_named("beth"), b.text_channels[0]


def what_members_see(response) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """An answer without what differs between two sends of the same (discord.py's random button ids)."""
    data = response.json["data"]
    return {"type": response.json["type"], "content": data.get("content"), "embeds": data.get("embeds")}


def files_outside(root: Path, excluded: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_relative_to(excluded.resolve())
    }


async def test_a_moderator_of_b_adding_and_removing_changes_nothing_in_a(two_server_standin, clean_env, tmp_path):
    standin = two_server_standin
    world = standin.world
    a = world.guild
    b, beth, lobby = second_server(standin)
    # A's members asking would record their questions in A's own question log; with none kept, the files
    # outside B's folder can only change by what B's moderator does.
    bot = await synced_bot(standin, copy_corpus(tmp_path), question_retention_days=0)
    server_documents(bot, a.id, {"basalt.md": BASALT})
    b_documents = server_documents(bot, b.id, {"tide-pools.md": TIDE_POOLS})

    async def seen_in_a() -> list[Any]:
        answers = [what_members_see(await ask(standin, question)) for question in (ANSWERABLE, BASALT_QUESTION)]
        listing = await text_of(standin, await standin.send_interaction("corpus list", user=world.morgan))
        return [*answers, listing]

    async with standin.running(bot):
        before = await seen_in_a()
        untouched = files_outside(tmp_path, bot.services.folders.of(b.id))
        offered = await standin.send_autocomplete(
            "corpus remove", {"document": ""}, "document", user=beth, channel=lobby
        )
        upload = standin.add_attachment("Zanzibarite.md", ZANZIBARITE, channel=lobby)
        added = await text_of(
            standin, await standin.send_interaction("corpus add", {"file": upload}, user=beth, channel=lobby), deferred=True
        )
        prompt = await callback(
            standin,
            await standin.send_interaction("corpus remove", {"document": "tide-pools.md"}, user=beth, channel=lobby),
        )
        message = prompt.response_json["resource"]["message"]
        confirm = await standin.send_component(message, button_id(message, "Remove"), user=beth)
        removed = (await standin.wait_for_request(EDIT_ORIGINAL, interaction=confirm, timeout=10)).json["content"]
        b_listing = await text_of(standin, await standin.send_interaction("corpus list", user=beth, channel=lobby))
        b_answers = {question: await ask(standin, question, channel=lobby) for question in (BASALT_QUESTION, ZANZIBARITE_QUESTION)}
        after = await seen_in_a()

    assert [choice["value"] for choice in offered] == ["tide-pools.md"]  # B's documents only, never A's
    assert added.startswith("This server's corpus reloaded in ") and added.split("\n")[1] == "Added: `zanzibarite.md`"
    assert removed.split("\n")[1] == "Removed: `tide-pools.md`"
    assert sorted(path.name for path in b_documents.glob("*.md")) == ["zanzibarite.md"]
    assert after == before  # A's members: the same answers, the same /corpus list
    assert files_outside(tmp_path, bot.services.folders.of(b.id)) == untouched  # byte for byte
    assert "basalt" not in b_listing and "`zanzibarite.md` — Zanzibarite (1 passages)" in b_listing
    assert b_answers[BASALT_QUESTION].json["data"]["flags"] & EPHEMERAL  # A's document is not B's to quote
    assert "1911" in b_answers[ZANZIBARITE_QUESTION].json["data"]["embeds"][0]["description"]
    assert "1911" not in json.dumps(before)


async def test_manage_server_in_b_is_refused_everything_that_touches_the_shared_corpus(
    two_server_standin, clean_env, tmp_path
):
    standin = two_server_standin
    b, beth, lobby = second_server(standin)
    corpus = copy_corpus(tmp_path)
    shared_before = files_outside(corpus, corpus / ".quotebot-cache")
    bot = await synced_bot(standin, corpus)
    async with standin.running(bot):
        upload = standin.add_attachment("Zanzibarite.md", ZANZIBARITE, channel=lobby)
        attempts = [
            ("corpus add", {"file": upload, "shared": True}),
            ("corpus remove", {"document": SHIPPED_ARTICLE, "shared": True}),
            ("corpus reload", {"shared": True}),
        ]
        replies = [
            (await callback(standin, await standin.send_interaction(command, options, user=beth, channel=lobby))).json
            for command, options in attempts
        ]
        offered = await standin.send_autocomplete(
            "corpus remove", {"document": "", "shared": True}, "document", user=beth, channel=lobby
        )
    for reply in replies:
        assert reply["data"]["flags"] & EPHEMERAL
        assert reply["data"]["content"] == str(NotOwner())
    assert str(NotOwner()).startswith("Only the bot's owner can change the shared corpus")
    assert offered == []
    assert not any(request.path.startswith("/attachments/") for request in standin.requests)
    assert files_outside(corpus, corpus / ".quotebot-cache") == shared_before
    assert not bot.services.folders.shared_signal.exists() and not bot.services.folders.of(b.id).exists()


async def test_the_owner_changes_the_shared_corpus_and_every_server_is_answered_from_it(
    two_server_standin, clean_env, tmp_path
):
    standin = two_server_standin
    world = standin.world
    b, beth, lobby = second_server(standin)
    corpus = copy_corpus(tmp_path)
    bot = await synced_bot(standin, corpus, owner_ids=[beth.id])
    server_documents(bot, b.id, {"tide-pools.md": TIDE_POOLS})
    async with standin.running(bot):
        before = await ask(standin, ZANZIBARITE_QUESTION, channel=lobby)
        upload = standin.add_attachment("Zanzibarite.md", ZANZIBARITE)
        added = await text_of(
            standin,
            await standin.send_interaction("corpus add", {"file": upload, "shared": True}, user=world.owner),
            deferred=True,
        )
        in_b = await ask(standin, ZANZIBARITE_QUESTION, channel=lobby)
        by_listed_owner = await text_of(
            standin, await standin.send_interaction("corpus reload", {"shared": True}, user=beth, channel=lobby), deferred=True
        )
    assert before.json["data"]["flags"] & EPHEMERAL
    lines = added.split("\n")
    assert lines[0].startswith("The shared corpus reloaded in ") and " 2 documents, " in lines[0]
    assert lines[1:] == ["Added: `zanzibarite.md`", "Every running quotebot process reloads it within 2 s."]
    assert (corpus / "zanzibarite.md").read_bytes() == ZANZIBARITE
    assert bot.services.folders.shared_signal.read_text().strip() == bot.services.shared.last_seen
    assert "1911" in in_b.json["data"]["embeds"][0]["description"]  # B has documents of its own, and the shared ones
    assert by_listed_owner.startswith("The shared corpus reloaded in ")  # QUOTEBOT_OWNER_IDS


async def test_the_shipped_corpus_is_never_written_even_by_the_owner(discord_standin, clean_env):
    shipped = files_outside(INSTALLED_SHIPPED_CORPUS, INSTALLED_SHIPPED_CORPUS / ".quotebot-cache")
    bot = make_bot(discord_standin, INSTALLED_SHIPPED_CORPUS)  # the package's own, wherever it is installed
    async with discord_standin.running(bot):
        upload = discord_standin.add_attachment("Zanzibarite.md", ZANZIBARITE)
        sent = await discord_standin.send_interaction(
            "corpus add", {"file": upload, "shared": True}, user=discord_standin.world.owner
        )
        reply = await callback(discord_standin, sent)
    assert reply.json["data"]["content"] == SHIPPED_IS_READ_ONLY
    assert "Set QUOTEBOT_CORPUS to a folder of your own" in SHIPPED_IS_READ_ONLY
    assert files_outside(INSTALLED_SHIPPED_CORPUS, INSTALLED_SHIPPED_CORPUS / ".quotebot-cache") == shipped


async def test_settings_are_per_server_and_set_by_manage_server(two_server_standin, clean_env, tmp_path):
    standin = two_server_standin
    world = standin.world
    b, beth, lobby = second_server(standin)
    help_channel = b.text_channels[1]
    bot = await synced_bot(standin, copy_corpus(tmp_path))
    server_documents(bot, b.id, {"tide-pools.md": TIDE_POOLS})
    async with standin.running(bot):
        saved = await text_of(
            standin,
            await standin.send_interaction(
                "corpus settings",
                {"include_shared": False, "allowed_channels": "#help", "mod_log_channel": lobby},
                user=beth,
                channel=lobby,
            ),
        )
        stored = json.loads(bot.services.folders.settings_file(b.id).read_text())
        in_lobby = await ask(standin, TIDE_QUESTION, channel=lobby)
        shared_in_help = await ask(standin, ANSWERABLE, channel=help_channel)
        own_in_help = await ask(standin, TIDE_QUESTION, channel=help_channel)
        in_a = await ask(standin, ANSWERABLE)
        await standin.send_interaction("corpus reload", user=beth, channel=help_channel)
        mod_log = await standin.wait_for_request(
            "POST /channels/{channel_id}/messages", where=lambda r: "Reload" in r.json["content"], timeout=10
        )
        reset = await text_of(
            standin,
            await standin.send_interaction(
                "corpus settings", {"reset": "allowed_channels"}, user=beth, channel=help_channel
            ),
        )
        lobby_again = await ask(standin, TIDE_QUESTION, channel=lobby)
    assert saved.split("\n") == [
        "Saved. This server's settings:",
        "**include_shared**: no (set here) — answer from the shared documents as well as this server's own",
        "**moderator_role**: none (default) — a role that may use /corpus besides Manage Server",
        f"**mod_log_channel**: <#{lobby.id}> (set here) — the channel that hears about corpus changes",
        f"**allowed_channels**: <#{help_channel.id}> (set here) — the channels where I answer (and their threads)",
        "**auto_answer_channels**: none (default) — forums and channels whose new threads I answer by myself, when sure",
        "**question_retention_days**: 90 days (default) — days questions and 👍/👎 are kept for /corpus gaps (0: none)",
    ]
    assert stored == {
        "allowed_channel_ids": [help_channel.id],
        "include_shared": False,
        "mod_log_channel_id": lobby.id,
    }
    assert in_lobby.json["data"]["content"].startswith("I don't answer questions in this channel")
    assert shared_in_help.json["data"]["flags"] & EPHEMERAL  # the shared article is not used in B any more
    assert "Hermit crabs" in own_in_help.json["data"]["embeds"][0]["description"]
    assert "35,000" in in_a.json["data"]["embeds"][0]["description"]  # A keeps the defaults
    assert int(mod_log.path_params["channel_id"]) == lobby.id
    assert "**allowed_channels**: every channel (default)" in reset
    assert lobby_again.json["data"].get("embeds")
    assert not bot.services.folders.settings_file(world.guild.id).exists()


@pytest.mark.parametrize(
    "options, refusal",
    [
        ({"allowed_channels": "#general"}, "#general is not a channel of this server; nothing changed."),
        ({"allowed_channels": "the help one"}, "Name the channels with #"),
    ],
)
async def test_settings_refuse_channels_of_other_servers(two_server_standin, clean_env, tmp_path, options, refusal):
    standin = two_server_standin
    b, beth, lobby = second_server(standin)
    bot = await synced_bot(standin, copy_corpus(tmp_path))
    async with standin.running(bot):
        sent = await standin.send_interaction("corpus settings", options, user=beth, channel=lobby)
        reply = await text_of(standin, sent)
    assert reply.startswith(refusal)
    assert not bot.services.folders.settings_file(b.id).exists()


async def test_leaving_a_server_drops_its_index_and_keeps_its_files_until_it_returns(
    two_server_standin, clean_env, tmp_path
):
    standin = two_server_standin
    b, _, lobby = second_server(standin)
    bot = make_bot(standin, copy_corpus(tmp_path))
    documents = server_documents(bot, b.id, {"tide-pools.md": TIDE_POOLS})
    marker = bot.services.folders.left_marker(b.id)

    async def until(condition) -> None:  # type: ignore[no-untyped-def]
        for _ in range(100):
            if condition():
                return
            await asyncio.sleep(0.05)
        raise AssertionError("timed out")

    async with standin.running(bot):
        await ask(standin, TIDE_QUESTION, channel=lobby)
        loaded = bot.services.corpora.loaded_names()
        await standin.remove_guild(b)
        await until(marker.exists)
        unloaded = bot.services.corpora.loaded_names()
        with pytest.raises(InteractionRejected):
            await standin.send_interaction("ask", {"question": TIDE_QUESTION}, channel=lobby)
        await standin.add_guild(b)
        await until(lambda: not marker.exists())
        back = await ask(standin, TIDE_QUESTION, channel=lobby)
    assert loaded == (str(b.id),) and unloaded == ()
    assert (documents / "tide-pools.md").read_bytes() == TIDE_POOLS
    assert "Hermit crabs" in back.json["data"]["embeds"][0]["description"]
