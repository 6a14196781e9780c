"""👍/👎 verdicts reach the log and the JSON-lines file."""

from __future__ import annotations

import json
import logging

from quotebot.bot.feedback import FeedbackLog


async def test_verdicts_are_appended_as_json_lines(tmp_path, caplog):
    path = tmp_path / "logs" / "feedback.jsonl"
    log = FeedbackLog(path)
    with caplog.at_level(logging.INFO, logger="quotebot.bot.feedback"):
        await log.record(question="how many?", passage_id="a.md#p1", verdict="helpful", user_id=7)
        await log.record(question="why «so»?", passage_id=None, verdict="unhelpful", user_id=8)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(e["question"], e["passage_id"], e["verdict"], e["user_id"]) for e in lines] == [
        ("how many?", "a.md#p1", "helpful", "7"),
        ("why «so»?", None, "unhelpful", "8"),
    ]
    assert "Feedback helpful on passage a.md#p1" in caplog.text


async def test_without_a_file_verdicts_are_only_logged(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="quotebot.bot.feedback"):
        await FeedbackLog(None).record(question="q", passage_id="p", verdict="helpful", user_id=1)
    assert "Feedback helpful" in caplog.text
    assert list(tmp_path.iterdir()) == []


async def test_an_unwritable_file_is_a_warning_not_an_error(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    await FeedbackLog(blocker / "feedback.jsonl").record(question="q", passage_id="p", verdict="helpful", user_id=1)
    assert "Could not append feedback" in caplog.text
