"""End to end: a reload of a corpus of thousands of passages during a burst of questions.

No question is lost, answers come from the old index until the new one is
swapped in, and the event loop (the bot's, the stand-in's and the test's, all
one loop) never runs a callback for more than 50 ms meanwhile: retrieval and
the index build really do run off it.

Callbacks are timed the way asyncio's debug mode does (``slow_callback_duration``)
but by wrapping ``Handle._run`` instead of switching debug mode on: debug mode
captures a stack trace, with a ``stat`` of every source file in it, for each
future and handle created, and each of those system calls gives the GIL away to
the busy retrieval threads. Measured, that inflated ordinary callbacks past
50 ms: it timed the instrument, not the bot.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from pathlib import Path

from quotebot.bot.utils.reporting import UNEXPECTED
from tests.bot.e2e import EDIT_ORIGINAL, EPHEMERAL, copy_corpus, delivered, make_bot, server_documents
from tests.discord_standin import DiscordStandin, SentInteraction

DOCUMENTS = 250
PARAGRAPHS = 12
WORDS_PER_PARAGRAPH = 70
SLOW_CALLBACK_SECONDS = 0.05
NEW_DOCUMENT = (
    "---\ntitle: Zanzibarite\n---\nThe zanzibarite deposits of the northern valley were first surveyed in 1911.\n"
)
NEW_QUESTION = "When were the zanzibarite deposits first surveyed?"


def generate_corpus(folder: Path) -> list[str]:
    """~3,000 passages of made-up words; returns one answerable question per paragraph."""
    syllables = [
        "ka",
        "lo",
        "mi",
        "ren",
        "tu",
        "vas",
        "zor",
        "bel",
        "qui",
        "dan",
        "fel",
        "gor",
        "hin",
        "jus",
        "lum",
        "nep",
    ]
    vocabulary = [a + b + c for a in syllables for b in syllables for c in syllables]
    rng = random.Random(2019)
    folder.mkdir()
    questions = []
    for number in range(DOCUMENTS):
        paragraphs = []
        for _ in range(PARAGRAPHS):
            words = rng.sample(vocabulary, WORDS_PER_PARAGRAPH)
            sentences = [" ".join(words[i : i + 10]).capitalize() + "." for i in range(0, WORDS_PER_PARAGRAPH, 10)]
            paragraphs.append(" ".join(sentences))
            questions.append(f"What do the sources say about {' '.join(words[3:7])}?")
        (folder / f"doc-{number:03d}.md").write_text(f"# Document {number}\n\n" + "\n\n".join(paragraphs) + "\n")
    return questions


class SlowCallbacks:
    """Every event-loop callback (task steps included) that ran longer than ``threshold`` seconds."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.seen: list[str] = []
        self.active = False

    def install(self, monkeypatch) -> None:
        run = asyncio.events.Handle._run

        def timed(handle: asyncio.Handle) -> None:
            started = time.perf_counter()
            run(handle)
            took = time.perf_counter() - started
            if self.active and took > self.threshold:
                self.seen.append(f"Executing {handle!r} took {took:.3f} seconds")

        monkeypatch.setattr(asyncio.events.Handle, "_run", timed)


async def ask_all(standin: DiscordStandin, questions: list[str]) -> list[SentInteraction]:
    users = [standin.world.alice, standin.world.morgan, standin.world.owner]
    return [await standin.send_interaction("ask", {"question": q}, user=users[i % 3]) for i, q in enumerate(questions)]


async def outcome(standin: DiscordStandin, sent: SentInteraction) -> dict:
    """The message that answered (or declined) ``sent``: the callback, or what followed a defer."""
    return await delivered(standin, sent, timeout=60)


def answered(body: dict) -> bool:
    assert body.get("content") != UNEXPECTED and "not available" not in (body.get("content") or "")
    if body.get("embeds"):
        return True
    assert body["flags"] & EPHEMERAL and body["content"].startswith("I couldn't find")
    return False


async def test_reload_during_a_burst_loses_no_question_and_never_blocks_the_loop(
    discord_standin, clean_env, tmp_path, monkeypatch
):
    bot = make_bot(discord_standin, copy_corpus(tmp_path))
    guild_id = discord_standin.world.guild.id
    corpus = server_documents(bot, guild_id)
    corpus.parent.mkdir(parents=True)
    generic = generate_corpus(corpus)
    served = bot.services.corpora.engine(str(guild_id))  # the server's own corpus, loaded before its first question
    assert served is not None and len(served.engine.passages) >= 2500
    gate = threading.Event()
    real_reload = served.reload

    def reload_when_released():
        gate.wait(60)
        return real_reload()

    # The reload is held until the first burst is answered, so those answers provably come
    # from the old index while a reload is pending; the second burst overlaps the real build.
    monkeypatch.setattr(served, "reload", reload_when_released)
    rng = random.Random(7)
    slow = SlowCallbacks(SLOW_CALLBACK_SECONDS)
    slow.install(monkeypatch)
    async with discord_standin.running(bot, timeout=15):
        slow.active = True
        try:
            (corpus / "zanzibarite.md").write_text(NEW_DOCUMENT)
            reload = await discord_standin.send_interaction("corpus reload", user=discord_standin.world.morgan)
            first = await ask_all(discord_standin, [NEW_QUESTION] * 5 + rng.sample(generic, 25))
            first_outcomes = [await outcome(discord_standin, sent) for sent in first]
            gate.set()
            second = await ask_all(
                discord_standin, [q for pair in zip([NEW_QUESTION] * 20, rng.sample(generic, 20)) for q in pair]
            )
            report = await discord_standin.wait_for_request(EDIT_ORIGINAL, interaction=reload, timeout=60)
            second_outcomes = [await outcome(discord_standin, sent) for sent in second]
            last = [await outcome(discord_standin, sent) for sent in await ask_all(discord_standin, [NEW_QUESTION] * 3)]
        finally:
            slow.active = False

    assert report.json["content"].split("\n")[1] == "Added: `zanzibarite.md`"
    # Nothing lost: every question got exactly one answer or decline.
    assert len(first_outcomes) == 30 and len(second_outcomes) == 40 and len(last) == 3
    # During the held reload, the old index answered: generic questions yes, the new document not yet.
    assert [answered(r) for r in first_outcomes] == [False] * 5 + [True] * 25
    # During the build, the switch from old to new happens once and for good.
    new_document = [answered(r) for r in second_outcomes[0::2]]
    assert new_document == sorted(new_document), new_document
    assert all(answered(r) for r in second_outcomes[1::2])
    assert all(answered(r) for r in last)
    assert slow.seen == [], "\n".join(slow.seen)
