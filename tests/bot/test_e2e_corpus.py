"""End to end: moderators manage their server's corpus with /corpus; members cannot.

The bot's corpus here (``copy_corpus``) is the shared one; moderators' changes go to the server's own
folder (``servers/<guild id>/documents``), and the shared corpus stays as it was.
"""

from __future__ import annotations

import pytest

from tests.bot.e2e import (
    ANSWERABLE,
    CALLBACK,
    CHANNEL_MESSAGE,
    CHANNEL_MESSAGE_WITH_SOURCE,
    DEFERRED_CHANNEL_MESSAGE,
    EDIT_ORIGINAL,
    EPHEMERAL,
    UPDATE_MESSAGE,
    ask,
    assert_no_mentions_allowed,
    button_id,
    callback,
    copy_corpus,
    delivered,
    make_bot,
    messages_for,
    server_documents,
)
from tests.discord_standin import DiscordStandin, InteractionRejected

ARTICLE_ID = "number-of-north-korean-defectors-declines.md"
NEW_DOCUMENT = b"""---
publication: Quote Lab Notes
---
# Zanzibarite mining

## Deposits

The zanzibarite deposits of the northern valley were first surveyed in 1911 by a team of six geologists.
"""
NEW_QUESTION = "When were the zanzibarite deposits first surveyed?"


async def follow_up_text(standin: DiscordStandin, sent) -> str:
    """The text a deferred /corpus command ends with, in the edit of its private "thinking…" response."""
    request = await standin.wait_for_request(EDIT_ORIGINAL, interaction=sent, timeout=10)
    return request.json["content"]


async def test_a_moderator_reloads_and_is_told_what_changed(discord_standin, clean_env, tmp_path):
    corpus = copy_corpus(tmp_path)
    morgan = discord_standin.world.morgan
    bot = make_bot(discord_standin, corpus)
    async with discord_standin.running(bot):
        server_documents(bot, discord_standin.world.guild.id, {"zanzibarite.md": NEW_DOCUMENT})
        sent = await discord_standin.send_interaction("corpus reload", user=morgan)
        text = await follow_up_text(discord_standin, sent)
    defer = discord_standin.requests_for(sent)[0].json
    assert defer["type"] == DEFERRED_CHANNEL_MESSAGE and defer["data"]["flags"] & EPHEMERAL
    lines = text.split("\n")
    assert lines[0].startswith("This server's corpus reloaded in ") and lines[0].endswith(" passages.")
    assert " 1 documents, " in lines[0]
    assert lines[1:] == ["Added: `zanzibarite.md`"]
    assert_no_mentions_allowed(discord_standin)


async def test_discord_hides_corpus_from_members(discord_standin, clean_env, tmp_path):
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        with pytest.raises(InteractionRejected, match="default_member_permissions"):
            await discord_standin.send_interaction("corpus reload", user=discord_standin.world.alice)


async def test_a_member_who_reaches_corpus_anyway_is_refused_by_the_bot(discord_standin, clean_env, tmp_path):
    """``default_permissions`` is only a hint (a server admin may override it); the bot checks
    the member's permissions from the interaction payload itself. Without a sync, the stand-in
    delivers the command to anyone, as Discord would after such an override."""
    world = discord_standin.world
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path), dev_guild_id=None)):
        by_alice = await discord_standin.send_interaction("corpus reload", user=world.alice)
        refused = await callback(discord_standin, by_alice)
        stats = await delivered(discord_standin, await discord_standin.send_interaction("corpus stats", user=world.morgan))
    assert refused.json["type"] == CHANNEL_MESSAGE_WITH_SOURCE
    assert refused.json["data"]["flags"] & EPHEMERAL
    assert refused.json["data"]["content"].startswith("Only moderators")
    assert stats["content"].startswith("This server: 0 documents, 0 passages of its own.")
    assert [r.route for r in discord_standin.requests_for(by_alice)] == [CALLBACK]  # alice's reload never ran


async def test_add_downloads_the_attachment_saves_it_and_reloads(discord_standin, clean_env, tmp_path):
    corpus = copy_corpus(tmp_path)
    world = discord_standin.world
    bot = make_bot(discord_standin, corpus)
    async with discord_standin.running(bot):
        before = await ask(discord_standin, NEW_QUESTION)
        upload = discord_standin.add_attachment("Zanzibarite Notes.md", NEW_DOCUMENT, content_type="text/markdown")
        sent = await discord_standin.send_interaction(
            "corpus add",
            {"file": upload, "author": "Ada Stone", "url": "https://example.org/zanzibarite"},
            user=world.morgan,
        )
        text = await follow_up_text(discord_standin, sent)
        after = await ask(discord_standin, NEW_QUESTION)
    assert before.json["data"]["flags"] & EPHEMERAL  # declined: the corpus did not know yet
    assert text.split("\n")[1] == "Added: `zanzibarite-notes.md`"
    assert any(r.path.startswith("/attachments/") for r in discord_standin.requests)
    assert sorted(path.name for path in corpus.iterdir() if not path.name.startswith(".")) == [ARTICLE_ID]
    saved = (server_documents(bot, world.guild.id) / "zanzibarite-notes.md").read_text()
    assert "author: Ada Stone" in saved and "publication: Quote Lab Notes" in saved
    data = after.json["data"]
    embed = data["embeds"][0]
    assert "1911" in embed["description"]
    assert embed["fields"][-1]["value"] == "— *Zanzibarite mining*, Ada Stone, Quote Lab Notes · Deposits"
    source = [c for row in data["components"] for c in row["components"] if c.get("label") == "Source"]
    assert source and source[0]["url"].startswith("https://example.org/zanzibarite#:~:text=")


@pytest.mark.parametrize(
    "filename, data, reason",
    [
        ("big.md", b"x" * 5000, "the limit is 4,096"),
        ("roster.xlsx", b"PK\x03\x04", "only .md, .txt, .html, .htm, .pdf, .docx files (or a .zip of them) can be added"),
    ],
)
async def test_add_refuses_before_downloading(discord_standin, clean_env, tmp_path, filename, data, reason):
    bot = make_bot(discord_standin, copy_corpus(tmp_path), max_upload_bytes=4096)
    async with discord_standin.running(bot):
        upload = discord_standin.add_attachment(filename, data)
        sent = await discord_standin.send_interaction("corpus add", {"file": upload}, user=discord_standin.world.morgan)
        response = await callback(discord_standin, sent)
    assert response.json["data"]["flags"] & EPHEMERAL and reason in response.json["data"]["content"]
    assert not any(r.path.startswith("/attachments/") for r in discord_standin.requests)


async def test_a_bad_upload_is_explained_and_nothing_changes(discord_standin, clean_env, tmp_path):
    corpus = copy_corpus(tmp_path)
    bot = make_bot(discord_standin, corpus)
    async with discord_standin.running(bot):
        upload = discord_standin.add_attachment("latin1.md", "caf\u00e9 notes".encode("latin-1"))
        sent = await discord_standin.send_interaction("corpus add", {"file": upload}, user=discord_standin.world.morgan)
        text = await follow_up_text(discord_standin, sent)
    assert text.startswith("Adding `latin1.md` failed: not UTF-8")
    assert text.endswith("The corpus in use has not changed.")
    assert sorted(path.name for path in corpus.iterdir() if not path.name.startswith(".")) == [ARTICLE_ID]
    assert not list(server_documents(bot, discord_standin.world.guild.id).glob("*.md"))


async def test_remove_asks_for_confirmation_then_removes_and_reloads(discord_standin, clean_env, tmp_path):
    corpus = copy_corpus(tmp_path)
    world = discord_standin.world
    bot = make_bot(discord_standin, corpus)
    documents = server_documents(bot, world.guild.id, {"zanzibarite.md": NEW_DOCUMENT})
    async with discord_standin.running(bot):
        sent = await discord_standin.send_interaction("corpus remove", {"document": "zanzibarite.md"}, user=world.morgan)
        prompt = await delivered(discord_standin, sent)  # deferred first: the server's corpus had to be loaded
        (message,) = messages_for(discord_standin, sent)
        with pytest.raises(InteractionRejected):  # ephemeral: only morgan sees it; still, only morgan may confirm
            await discord_standin.send_interaction("corpus remove", {"document": "zanzibarite.md"}, user=world.alice)
        confirm = await discord_standin.send_component(message, button_id(message, "Remove"), user=world.morgan)
        edited = await discord_standin.wait_for_request(EDIT_ORIGINAL, interaction=confirm, timeout=10)
    assert prompt["content"] == "Remove `zanzibarite.md` from this server's corpus?"
    assert message["flags"] & EPHEMERAL
    first = discord_standin.requests_for(confirm)[0].json
    assert first["type"] == UPDATE_MESSAGE and first["data"]["components"] == []
    lines = edited.json["content"].split("\n")
    assert lines[1:] == [
        "Removed: `zanzibarite.md`",
        "This server has no documents of its own now: questions here are answered from the shared corpus.",
    ]
    assert not (documents / "zanzibarite.md").exists()
    assert (corpus / ARTICLE_ID).is_file()
    assert_no_mentions_allowed(discord_standin)


async def test_remove_of_an_unknown_document_is_refused(discord_standin, clean_env, tmp_path):
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        sent = await discord_standin.send_interaction(
            "corpus remove", {"document": "../etc/passwd"}, user=discord_standin.world.morgan
        )
        response = await delivered(discord_standin, sent)
        (message,) = messages_for(discord_standin, sent)
    assert message["flags"] & EPHEMERAL
    assert response["content"].startswith("There is no document `../etc/passwd` in this server's corpus")


async def test_a_failed_reload_says_why_and_the_old_corpus_keeps_serving(discord_standin, clean_env, tmp_path):
    bot = make_bot(discord_standin, copy_corpus(tmp_path))
    documents = server_documents(bot, discord_standin.world.guild.id, {"zanzibarite.md": NEW_DOCUMENT})
    async with discord_standin.running(bot):
        before = await ask(discord_standin, NEW_QUESTION)
        (documents / "zanzibarite.md").write_bytes(b"\xff\xfe not UTF-8")
        text = await follow_up_text(
            discord_standin, await discord_standin.send_interaction("corpus reload", user=discord_standin.world.morgan)
        )
        after = await ask(discord_standin, NEW_QUESTION)
    assert text.startswith("Reload failed: no usable ")
    assert text.endswith("The corpus in use has not changed.")
    for answer in (before, after):
        assert "1911" in answer.json["data"]["embeds"][0]["description"]


async def test_list_and_stats(discord_standin, clean_env, tmp_path):
    morgan = discord_standin.world.morgan
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        for question in (ANSWERABLE, ANSWERABLE, "What is the capital of France?"):
            await ask(discord_standin, question)
        listing = await callback(discord_standin, await discord_standin.send_interaction("corpus list", user=morgan))
        stats = await callback(discord_standin, await discord_standin.send_interaction("corpus stats", user=morgan))
    lines = listing.json["data"]["content"].split("\n")
    assert lines[0] == "This server's corpus: 0 documents."
    assert lines[1].startswith("Questions here are answered from the shared corpus (1 documents, ")
    assert lines[1].endswith("; `/corpus list shared:True` lists it.")
    content = stats.json["data"]["content"].split("\n")
    assert content[0] == "This server: 0 documents, 0 passages of its own."
    assert content[2] == "Semantic model: off (answers by words alone)."
    assert content[3].endswith("2 questions answered here, 0 answered unsure, 1 declined, 0 told I was too busy.")
    assert content[4] == "Ranking: 0% by words and meaning, 100% by words alone (3 of 3: passages not embedded yet, or the semantic model off)."
    assert content[5].startswith("This bot process: nothing waiting for vectors; event loop at most ")


async def test_changes_are_posted_to_the_moderator_log_channel(discord_standin, clean_env, tmp_path, caplog):
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path), mod_log_channel_id=world.quotes.id)
    caplog.set_level("INFO", logger="quotebot.bot.exts.corpus.documents")
    async with discord_standin.running(bot):
        await discord_standin.send_interaction("corpus reload", user=world.morgan)
        posted = await discord_standin.wait_for_request(CHANNEL_MESSAGE, timeout=10)
    assert int(posted.path_params["channel_id"]) == world.quotes.id
    assert posted.json["content"].startswith(f"<@{world.morgan.id}> — Reload: This server's corpus reloaded in ")
    assert posted.json["allowed_mentions"]["parse"] == []
    assert f"Corpus change in server {world.guild.id}: Reload: This server's corpus" in caplog.text
    assert str(world.morgan.id) not in caplog.text, "who made a change is logged at DEBUG only"
