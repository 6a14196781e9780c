"""End to end: moderators manage the corpus with /corpus; members cannot."""

from __future__ import annotations

import pytest

from tests.bot.e2e import (
    ANSWERABLE,
    CHANNEL_MESSAGE,
    CHANNEL_MESSAGE_WITH_SOURCE,
    DEFERRED_CHANNEL_MESSAGE,
    EDIT_ORIGINAL,
    EPHEMERAL,
    FOLLOW_UP,
    UPDATE_MESSAGE,
    ask,
    assert_no_mentions_allowed,
    button_id,
    callback,
    copy_corpus,
    make_bot,
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
    async with discord_standin.running(make_bot(discord_standin, corpus)):
        (corpus / "zanzibarite.md").write_bytes(NEW_DOCUMENT)
        sent = await discord_standin.send_interaction("corpus reload", user=morgan)
        text = await follow_up_text(discord_standin, sent)
    defer = discord_standin.requests_for(sent)[0].json
    assert defer["type"] == DEFERRED_CHANNEL_MESSAGE and defer["data"]["flags"] & EPHEMERAL
    lines = text.split("\n")
    assert lines[0].startswith("Corpus reloaded in ") and lines[0].endswith(" passages.")
    assert " 2 documents, " in lines[0]
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
        refused = await callback(
            discord_standin, await discord_standin.send_interaction("corpus reload", user=world.alice)
        )
        stats = await callback(
            discord_standin, await discord_standin.send_interaction("corpus stats", user=world.morgan)
        )
    assert refused.json["type"] == CHANNEL_MESSAGE_WITH_SOURCE
    assert refused.json["data"]["flags"] & EPHEMERAL
    assert refused.json["data"]["content"].startswith("Only moderators")
    assert stats.json["data"]["content"].startswith("1 documents, ")
    assert not any(r.route in (FOLLOW_UP, EDIT_ORIGINAL) for r in discord_standin.requests)  # alice's never ran


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
    saved = (corpus / "zanzibarite-notes.md").read_text()
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
        ("notes.pdf", b"%PDF-1.7", "only .md and .txt files"),
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
    async with discord_standin.running(make_bot(discord_standin, corpus)):
        upload = discord_standin.add_attachment("latin1.md", "caf\u00e9 notes".encode("latin-1"))
        sent = await discord_standin.send_interaction("corpus add", {"file": upload}, user=discord_standin.world.morgan)
        text = await follow_up_text(discord_standin, sent)
    assert text.startswith("Adding `latin1.md` failed: not UTF-8")
    assert text.endswith("The corpus in use has not changed.")
    assert sorted(path.name for path in corpus.iterdir() if not path.name.startswith(".")) == [ARTICLE_ID]


async def test_remove_asks_for_confirmation_then_removes_and_reloads(discord_standin, clean_env, tmp_path):
    corpus = copy_corpus(tmp_path)
    (corpus / "zanzibarite.md").write_bytes(NEW_DOCUMENT)
    world = discord_standin.world
    async with discord_standin.running(make_bot(discord_standin, corpus)):
        prompt = await callback(
            discord_standin,
            await discord_standin.send_interaction("corpus remove", {"document": "zanzibarite.md"}, user=world.morgan),
        )
        message = prompt.response_json["resource"]["message"]
        with pytest.raises(InteractionRejected):  # ephemeral: only morgan sees it; still, only morgan may confirm
            await discord_standin.send_interaction("corpus remove", {"document": "zanzibarite.md"}, user=world.alice)
        confirm = await discord_standin.send_component(message, button_id(message, "Remove"), user=world.morgan)
        edited = await discord_standin.wait_for_request(EDIT_ORIGINAL, interaction=confirm, timeout=10)
    assert prompt.json["data"]["content"] == "Remove `zanzibarite.md` from the corpus?"
    assert prompt.json["data"]["flags"] & EPHEMERAL
    first = discord_standin.requests_for(confirm)[0].json
    assert first["type"] == UPDATE_MESSAGE and first["data"]["components"] == []
    assert edited.json["content"].split("\n")[1] == "Removed: `zanzibarite.md`"
    assert not (corpus / "zanzibarite.md").exists()
    assert_no_mentions_allowed(discord_standin)


async def test_remove_of_an_unknown_document_is_refused(discord_standin, clean_env, tmp_path):
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        sent = await discord_standin.send_interaction(
            "corpus remove", {"document": "../etc/passwd"}, user=discord_standin.world.morgan
        )
        response = await callback(discord_standin, sent)
    assert response.json["data"]["flags"] & EPHEMERAL
    assert response.json["data"]["content"].startswith("There is no document `../etc/passwd`")


async def test_a_failed_reload_says_why_and_the_old_corpus_keeps_serving(discord_standin, clean_env, tmp_path):
    corpus = copy_corpus(tmp_path)
    async with discord_standin.running(make_bot(discord_standin, corpus)):
        (corpus / ARTICLE_ID).unlink()
        text = await follow_up_text(
            discord_standin, await discord_standin.send_interaction("corpus reload", user=discord_standin.world.morgan)
        )
        answer = await ask(discord_standin)
    assert text.startswith("Reload failed: no usable ")
    assert text.endswith("The corpus in use has not changed.")
    assert "35,000" in answer.json["data"]["embeds"][0]["description"]


async def test_list_and_stats(discord_standin, clean_env, tmp_path):
    morgan = discord_standin.world.morgan
    async with discord_standin.running(make_bot(discord_standin, copy_corpus(tmp_path))):
        for question in (ANSWERABLE, ANSWERABLE, "What is the capital of France?"):
            await ask(discord_standin, question)
        listing = await callback(discord_standin, await discord_standin.send_interaction("corpus list", user=morgan))
        stats = await callback(discord_standin, await discord_standin.send_interaction("corpus stats", user=morgan))
    lines = listing.json["data"]["content"].split("\n")
    assert lines[0] == "1 documents:"
    assert lines[1].startswith(f"`{ARTICLE_ID}` — Number of North Korean Defectors Declines (")
    content = stats.json["data"]["content"]
    assert content.startswith("1 documents, ") and "2 questions answered, 0 answered unsure, 1 declined." in content
    assert "\nSemantic model: off (answers by words alone).\n" in content


async def test_changes_are_posted_to_the_moderator_log_channel(discord_standin, clean_env, tmp_path, caplog):
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path), mod_log_channel_id=world.quotes.id)
    caplog.set_level("INFO", logger="quotebot.bot.exts.corpus_admin")
    async with discord_standin.running(bot):
        await discord_standin.send_interaction("corpus reload", user=world.morgan)
        posted = await discord_standin.wait_for_request(CHANNEL_MESSAGE, timeout=10)
    assert int(posted.path_params["channel_id"]) == world.quotes.id
    assert posted.json["content"].startswith(f"<@{world.morgan.id}> — Reload: Corpus reloaded in ")
    assert posted.json["allowed_mentions"]["parse"] == []
    assert f"Corpus change by morgan ({world.morgan.id}): Reload: Corpus reloaded" in caplog.text
