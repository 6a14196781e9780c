"""👍/👎 verdicts reach the log and the JSON-lines file, naming nobody; the question's text is logged at DEBUG only."""

from __future__ import annotations

import json
import logging

from quotebot.bot.feedback import FeedbackLog


async def test_verdicts_are_appended_as_json_lines_with_the_voters_hash(tmp_path, caplog):
    path = tmp_path / "logs" / "feedback.jsonl"
    log = FeedbackLog(path)
    with caplog.at_level(logging.INFO, logger="quotebot.bot.feedback"):
        await log.record(question="how many?", passage_id="a.md#p1", verdict="helpful", server_id=5, voter="9f86d081")
        await log.record(question="why «so»?", passage_id=None, verdict="unhelpful", server_id=None, voter=None)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(e["question"], e["passage_id"], e["verdict"], e["server_id"], e["voter"]) for e in lines] == [
        ("how many?", "a.md#p1", "helpful", "5", "9f86d081"),
        ("why «so»?", None, "unhelpful", None, None),
    ]
    assert all("user_id" not in entry for entry in lines)
    assert [record.getMessage() for record in caplog.records] == [
        "Feedback helpful on passage a.md#p1",
        "Feedback unhelpful on passage None",
    ]


async def test_the_question_reaches_the_log_at_debug_only(caplog):
    with caplog.at_level(logging.DEBUG, logger="quotebot.bot.feedback"):
        await FeedbackLog(None).record(question="secret plans?", passage_id="p", verdict="helpful", server_id=1, voter=None)
    assert [(r.levelname, "secret plans?" in r.getMessage()) for r in caplog.records] == [
        ("INFO", False),
        ("DEBUG", True),
    ]


async def test_without_a_file_verdicts_are_only_logged(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="quotebot.bot.feedback"):
        await FeedbackLog(None).record(question="q", passage_id="p", verdict="helpful", server_id=1, voter=None)
    assert "Feedback helpful" in caplog.text
    assert list(tmp_path.iterdir()) == []


async def test_an_unwritable_file_is_a_warning_not_an_error(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    await FeedbackLog(blocker / "feedback.jsonl").record(
        question="q", passage_id="p", verdict="helpful", server_id=1, voter=None
    )
    assert "Could not append feedback" in caplog.text
