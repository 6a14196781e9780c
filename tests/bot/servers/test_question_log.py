"""The question log: one SQLite file per server, no user ids in it, retention, one vote per member, one claim per thread."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from quotebot.bot.servers.folders import ServerFolders
from quotebot.bot.servers.question_db import AskedQuestion, Totals
from quotebot.bot.servers.question_log import DAY, QuestionLog

GUILD, OTHER_GUILD = 42, 43
ALICE, BOB = 1317000000000000301, 1317000000000000302


def asked(question_id: int, text: str, outcome: str, asker: int = ALICE, *, days_ago: float = 0.0) -> AskedQuestion:
    return AskedQuestion(
        id=question_id,
        asked_at=time.time() - days_ago * DAY,
        text=text,
        outcome=outcome,
        asker_id=asker,
        via="ask",
        document_id="article.md" if outcome != "declined" else None,
        passage_id="article.md#3" if outcome != "declined" else None,
    )


async def test_questions_and_votes_survive_a_restart_in_the_servers_own_file_without_user_ids(tmp_path: Path) -> None:
    folders = ServerFolders(tmp_path / "servers")
    log = QuestionLog(folders)
    log.record(GUILD, asked(1, "What is the capital of France?", "declined"), keep_days=30)
    log.record(GUILD, asked(2, "How many defectors?", "answered", BOB), keep_days=30)
    log.record(OTHER_GUILD, asked(3, "How many defectors?", "answered"), keep_days=30)
    voted = await log.vote(GUILD, 2, ALICE, helpful=True)
    await log.vote(GUILD, 2, ALICE, helpful=False)  # changing one's mind replaces the vote
    assert await log.vote(GUILD, 99, ALICE, helpful=False) is None  # no such question kept
    await log.close()

    again = QuestionLog(folders)
    gaps, documents = await again.gaps(GUILD, 0.0, documents=5)
    totals = await again.totals(GUILD, 0.0)
    await again.close()
    assert voted is not None and (voted.question, voted.passage_id) == ("How many defectors?", "article.md#3")
    assert [(gap.text, gap.outcome, gap.dislikes) for gap in gaps] == [
        ("What is the capital of France?", "declined", 0),
        ("How many defectors?", "answered", 1),
    ]
    assert [(d.document_id, d.dislikes, d.likes) for d in documents] == [("article.md", 1, 0)]
    assert totals == Totals(answered=1, declined=1, likes=0, dislikes=1)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        f"servers/{GUILD}/questions.sqlite3",
        f"servers/{OTHER_GUILD}/questions.sqlite3",
    ]
    for guild in (GUILD, OTHER_GUILD):
        raw = folders.questions_file(guild).read_bytes()
        assert str(ALICE).encode() not in raw and str(BOB).encode() not in raw


async def test_an_asker_is_the_same_within_a_server_and_unlinkable_across_servers(tmp_path: Path) -> None:
    log = QuestionLog(ServerFolders(tmp_path))
    for guild in (GUILD, OTHER_GUILD):
        log.record(guild, asked(1, "capital of France?", "declined"), keep_days=30)
        log.record(guild, asked(2, "capital of Spain?", "declined"), keep_days=30)
    here, there = [(await log.gaps(guild, 0.0, documents=5))[0] for guild in (GUILD, OTHER_GUILD)]
    await log.close()
    assert len({gap.asker for gap in here}) == len({gap.asker for gap in there}) == 1
    assert here[0].asker != there[0].asker


async def test_questions_older_than_the_retention_are_dropped_and_none_are_kept_with_zero_days(tmp_path: Path) -> None:
    folders = ServerFolders(tmp_path)
    log = QuestionLog(folders)
    log.record(GUILD, asked(1, "old question", "declined", days_ago=10), keep_days=30)
    log.record(OTHER_GUILD, asked(2, "kept nowhere", "declined"), keep_days=0)
    await log.close()
    pruning = QuestionLog(folders)  # a new process prunes at its first record
    pruning.record(GUILD, asked(3, "new question", "declined"), keep_days=5)
    gaps, _ = await pruning.gaps(GUILD, 0.0, documents=5)
    await pruning.close()
    assert [gap.text for gap in gaps] == ["new question"]
    assert not folders.of(OTHER_GUILD).exists()


async def test_a_thread_is_claimed_once(tmp_path: Path) -> None:
    log = QuestionLog(ServerFolders(tmp_path))
    claims = [await log.claim_thread(GUILD, 7), await log.claim_thread(GUILD, 7), await log.claim_thread(GUILD, 8)]
    await log.close()
    restarted = QuestionLog(ServerFolders(tmp_path))
    after_restart = await restarted.claim_thread(GUILD, 7)
    await restarted.close()
    assert claims == [True, False, True]
    assert after_restart is False


async def test_a_damaged_file_is_a_warning_and_loses_only_its_records(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    folders = ServerFolders(tmp_path)
    folders.questions_file(GUILD).parent.mkdir()
    folders.questions_file(GUILD).write_bytes(b"not a database at all" * 100)
    log = QuestionLog(folders)
    with caplog.at_level(logging.WARNING):
        log.record(GUILD, asked(1, "capital of France?", "declined"), keep_days=30)
        claimed = await log.claim_thread(GUILD, 7)
        gaps = await log.gaps(GUILD, 0.0, documents=5)
        log.record(OTHER_GUILD, asked(2, "capital of Spain?", "declined"), keep_days=30)
        other = await log.gaps(OTHER_GUILD, 0.0, documents=5)
    await log.close()
    assert (claimed, gaps) == (False, ([], []))  # no record, no automatic answer
    assert [gap.text for gap in other[0]] == ["capital of Spain?"]
    assert f"in the question log of server {GUILD}" in caplog.text


async def test_reading_a_server_that_kept_nothing_creates_nothing(tmp_path: Path) -> None:
    log = QuestionLog(ServerFolders(tmp_path))
    assert await log.gaps(GUILD, 0.0, documents=5) == ([], [])
    assert await log.totals(GUILD, 0.0) == Totals()
    assert await log.vote(GUILD, 1, ALICE, helpful=True) is None
    await log.close()
    assert list(tmp_path.iterdir()) == []
