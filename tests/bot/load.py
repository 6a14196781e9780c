"""Load on the real bot through the stand-in: /ask at a steady rate while a moderator reloads the corpus.

``run_load`` is what ``test_e2e_load`` asserts on; run this module to see the
figures (``python -m tests.bot.load --rate 50 --seconds 20``). Questions rotate
over three members and a handful of wordings, answerable and not; every other
reload adds or removes a small document, so each one really rebuilds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from quotebot.bot.client import QuoteBot
from tests.bot.e2e import (
    ANSWERABLE,
    EDIT_ORIGINAL,
    OFF_TOPIC,
    copy_corpus,
    deliveries,
    make_bot,
    messages_for,
    server_documents,
)
from tests.discord_standin import DiscordStandin, SentInteraction

CALLBACK_WINDOW = 3.0
QUESTIONS = [
    ANSWERABLE,
    OFF_TOPIC,
    "How many defectors reached South Korea in 2019?",
    "Why has the number of North Korean defectors declined?",
    "What did Kim Jong-un do at the border with China?",
]
EXTRA_DOCUMENT = "---\ntitle: Basalt\n---\nThe basalt columns of the eastern cliffs formed 60 million years ago.\n"


@dataclass(frozen=True)
class LoadReport:
    """What a load run sent, and what reached the members."""

    sent: int
    seconds: float
    reloads: int
    reloads_failed: int
    acknowledged_in_window: int
    delivered_once: int
    ack_p50_ms: float
    ack_p99_ms: float

    @property
    def rate(self) -> float:
        return self.sent / self.seconds

    @property
    def lost(self) -> int:
        return self.sent - self.delivered_once

    def __str__(self) -> str:
        return (
            f"{self.sent} /ask in {self.seconds:.1f} s ({self.rate:.1f}/s) with {self.reloads} reloads "
            f"({self.reloads_failed} failed): {self.acknowledged_in_window} acknowledged within 3 s "
            f"(p50 {self.ack_p50_ms:.0f} ms, p99 {self.ack_p99_ms:.0f} ms), {self.delivered_once} answered "
            f"exactly once, {self.lost} lost"
        )


async def run_load(
    standin: DiscordStandin, bot: QuoteBot, *, rate: float, seconds: float, reload_every: float
) -> LoadReport:
    """Send ``rate`` /ask a second for ``seconds``, and /corpus reload every ``reload_every`` seconds."""
    world = standin.world
    users = [world.alice, world.morgan, world.owner]
    # The server's own corpus starts as a copy of the shared one, so that every reload rebuilds a real index.
    own = server_documents(bot, world.guild.id, {path.name: path.read_bytes() for path in bot.services.live.folder.glob("*.md")})
    extra = own / "basalt.md"
    sent: list[SentInteraction] = []
    reloads: list[SentInteraction] = []
    started = time.monotonic()
    next_reload = started + reload_every
    while (now := time.monotonic()) < started + seconds:
        if now >= next_reload:
            if extra.exists():
                extra.unlink()
            else:
                extra.write_text(EXTRA_DOCUMENT)
            reloads.append(await standin.send_interaction("corpus reload", user=world.morgan))
            next_reload += reload_every
        number = len(sent)
        sent.append(
            await standin.send_interaction(
                "ask", {"question": QUESTIONS[number % len(QUESTIONS)]}, user=users[number % len(users)]
            )
        )
        await asyncio.sleep(max(0.0, started + len(sent) / rate - time.monotonic()))
    elapsed = time.monotonic() - started
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(deliveries(standin, s) for s in sent + reloads):
        await asyncio.sleep(0.2)
    acknowledgements = [standin.requests_for(s)[0].answered_at - s.sent_at for s in sent if standin.requests_for(s)]
    reload_texts = [
        next((r.json["content"] for r in standin.requests_for(s) if r.route == EDIT_ORIGINAL), "") for s in reloads
    ]
    quantiles = statistics.quantiles(acknowledgements, n=100) if len(acknowledgements) > 1 else [0.0] * 99
    return LoadReport(
        sent=len(sent),
        seconds=elapsed,
        reloads=len(reloads),
        reloads_failed=sum(not text.startswith("This server's corpus reloaded") for text in reload_texts),
        acknowledged_in_window=sum(seconds < CALLBACK_WINDOW for seconds in acknowledgements),
        delivered_once=sum(
            len(messages_for(standin, s)) == 1 and len(deliveries(standin, s)) == 1 for s in sent
        ),
        ack_p50_ms=quantiles[49] * 1000,
        ack_p99_ms=quantiles[98] * 1000,
    )


async def _main(rate: float, seconds: float, reload_every: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with DiscordStandin() as standin:
            with standin.patch_discord():
                bot = make_bot(standin, copy_corpus(Path(folder)))
                async with standin.running(bot, timeout=15):
                    print(await run_load(standin, bot, rate=rate, seconds=seconds, reload_every=reload_every))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="questions a second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--reload-every", type=float, default=2.0)
    options = parser.parse_args()
    asyncio.run(_main(options.rate, options.seconds, options.reload_every))
