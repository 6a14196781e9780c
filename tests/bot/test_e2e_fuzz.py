"""End to end, fuzzed: arbitrary questions and uploads through the real handlers never reach a user as an error.

Hypothesis drives one bot and one stand-in for the whole run; they live on an
event loop in a thread of their own (``LiveBot``), since an example is a plain
function call. For every example: exactly one final message, never the "went
wrong on my side" apology, nothing logged as an error, and an upload that is
refused leaves the corpus folder exactly as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotebot.bot.client import QuoteBot
from quotebot.bot.utils.reporting import UNEXPECTED
from tests.bot.e2e import copy_corpus, delivered, make_bot, replies_to, server_documents
from tests.discord_standin import DiscordStandin

T = TypeVar("T")
FUZZ = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


class LiveBot:
    """The stand-in and the bot, running on their own event loop in a thread until ``close``."""

    def __init__(self, corpus: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="fuzzed bot", daemon=True)
        self._thread.start()
        self._stack = contextlib.AsyncExitStack()
        self.standin: DiscordStandin = self.run(self._stack.enter_async_context(DiscordStandin()))
        self._stack.enter_context(self.standin.patch_discord())
        self.bot: QuoteBot = make_bot(self.standin, corpus)
        self.run(self._stack.enter_async_context(self.standin.running(self.bot, timeout=15)))

    def run(self, work: Awaitable[T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(_awaited(work), self.loop).result(timeout)

    def close(self) -> None:
        try:
            self.run(self._stack.aclose())
            self.standin.assert_no_unknown_routes()
            self.standin.assert_no_faults()
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            self.loop.close()


async def _awaited(work: Awaitable[T]) -> T:
    return await work


class Errors(logging.Handler):
    """Every record at ERROR or above, from any thread."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def live(clean_env, tmp_path) -> Iterator[LiveBot]:
    errors = Errors()
    logging.getLogger().addHandler(errors)
    live = LiveBot(copy_corpus(tmp_path))
    live.errors = errors  # type: ignore[attr-defined]
    try:
        yield live
    finally:
        live.close()
        logging.getLogger().removeHandler(errors)
    assert not errors.records, [record.getMessage() for record in errors.records]


def visible(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        path.name: path.read_bytes()
        for path in folder.iterdir()
        if path.is_file() and not path.name.startswith(".")
    }


questions = st.text(min_size=1, max_size=1000).filter(lambda text: text.strip())
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50) | st.dates(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)
front_matter = st.dictionaries(
    st.sampled_from(["title", "author", "publication", "publisher", "url", "date", "section"]) | st.text(max_size=12),
    yaml_values,
    max_size=5,
).map(lambda metadata: "---\n" + yaml.safe_dump(metadata, allow_unicode=True))
uploads = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda head, body: (head + body).encode(), front_matter | st.text(max_size=200), st.text(max_size=600)),
    st.builds(lambda head, body: (head + "---\n" + body).encode(), front_matter, st.text(max_size=600)),
)
optional_text = st.none() | st.text(min_size=1, max_size=200).filter(lambda text: text.strip())


@given(question=questions)
@FUZZ
def test_any_question_by_slash_command_or_mention_gets_one_real_reply(live, question):
    async def ask_both() -> tuple[dict, list]:
        standin = live.standin
        sent = await standin.send_interaction("ask", {"question": question})
        body = await delivered(standin, sent)
        message = await standin.send_message(f"{standin.world.bot.mention} {question}"[:2000])
        await standin.wait_for_reply(message, timeout=10)
        return body, replies_to(standin, message)

    body, replies = live.run(ask_both())
    assert body.get("embeds") or body["content"].startswith(("I couldn't find", "You're asking"))
    (reply,) = replies
    assert reply["content"] != UNEXPECTED and body.get("content") != UNEXPECTED


@given(data=uploads, title=optional_text, author=optional_text, url=optional_text)
@FUZZ
def test_any_upload_is_added_or_refused_with_a_reason_and_a_refusal_changes_nothing(live, data, title, author, url):
    guild_id = live.standin.world.guild.id
    folder = server_documents(live.bot, guild_id)
    before = visible(folder)
    shared_before = visible(live.bot.services.live.folder)
    options = {"file": live.standin.add_attachment("fuzzed notes.md", data)}
    options |= {name: value for name, value in (("title", title), ("author", author), ("url", url)) if value}

    async def add() -> dict:
        sent = await live.standin.send_interaction("corpus add", options, user=live.standin.world.morgan)
        return await delivered(live.standin, sent, timeout=20)

    text = live.run(add())["content"]
    assert text != UNEXPECTED
    assert visible(live.bot.services.live.folder) == shared_before
    if text.startswith("This server's corpus reloaded"):
        assert set(visible(folder)) == set(before) | {"fuzzed-notes.md"}
        (folder / "fuzzed-notes.md").unlink()
        live.run(asyncio.to_thread(live.bot.services.corpora.change, str(guild_id)))
    else:
        assert text.startswith("Adding `fuzzed-notes.md` failed: ") and text.endswith("has not changed.")
        assert visible(folder) == before
