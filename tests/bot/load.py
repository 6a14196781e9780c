"""Load on the real bot through the stand-in: /ask at a steady rate while a moderator reloads the corpus.

``run_load`` is what ``test_e2e_load`` and ``test_e2e_semantic_budget`` assert
on, and what ``bench.semantic_load`` runs at full size; run this module to see
the figures (``python -m tests.bot.load --rate 50 --seconds 20``). Questions
rotate over three members and a handful of wordings, answerable and not;
before each reload ``change_corpus`` changes the server's files (by default
every other reload adds or removes a small document), so each one really
rebuilds.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from quotebot.bot.answering import BUSY
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
    final_p50_ms: float = 0.0
    final_p99_ms: float = 0.0
    gateway_warnings: int = 0
    busy: int = 0

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
            f"exactly once ({self.busy} of them 'busy, ask again'), {self.lost} lost; final answer p50 "
            f"{self.final_p50_ms:.0f} ms, p99 {self.final_p99_ms:.0f} ms; {self.gateway_warnings} gateway lag warnings"
        )


class GatewayWarnings(logging.Handler):
    """Counts discord.py's warnings that the event loop held up the gateway ("Can't keep up", heartbeat blocked)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if "Can't keep up" in text or "heartbeat blocked" in text:
            self.count += 1


@contextmanager
def gateway_warnings() -> Iterator[GatewayWarnings]:
    handler = GatewayWarnings()
    logger = logging.getLogger("discord.gateway")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def toggling_extra_document(own: Path) -> Callable[[], None]:
    """Before each reload: add the small extra document if it is not there, else remove it."""
    extra = own / "basalt.md"

    def change() -> None:
        if extra.exists():
            extra.unlink()
        else:
            extra.write_text(EXTRA_DOCUMENT)

    return change


def final_seconds(standin: DiscordStandin, interaction: SentInteraction) -> float | None:
    """From sending ``interaction`` to the request that delivered its final message (``None``: none yet)."""
    delivered = [request.answered_at for request in deliveries(standin, interaction)]
    return max(delivered) - interaction.sent_at if delivered else None


async def run_load(
    standin: DiscordStandin,
    bot: QuoteBot,
    *,
    rate: float,
    seconds: float,
    reload_every: float,
    own: Path | None = None,
    change_corpus: Callable[[], None] | None = None,
    wait_seconds: float = 60.0,
) -> LoadReport:
    """Send ``rate`` /ask a second for ``seconds``, and /corpus reload every ``reload_every`` seconds (after
    ``change_corpus``), then wait up to ``wait_seconds`` for the answers.

    The server's own corpus is ``own`` if given, else a copy of the shared one, so that every reload rebuilds a
    real index.
    """
    with gateway_warnings() as warnings:
        report = await _load(standin, bot, rate, seconds, reload_every, own, change_corpus, wait_seconds)
    return replace(report, gateway_warnings=warnings.count)


async def _load(
    standin: DiscordStandin,
    bot: QuoteBot,
    rate: float,
    seconds: float,
    reload_every: float,
    own: Path | None,
    change_corpus: Callable[[], None] | None,
    wait_seconds: float,
) -> LoadReport:
    world = standin.world
    users = [world.alice, world.morgan, world.owner]
    if own is None:
        own = server_documents(
            bot, world.guild.id, {path.name: path.read_bytes() for path in bot.services.live.folder.glob("*.md")}
        )
    change = change_corpus or toggling_extra_document(own)
    sent: list[SentInteraction] = []
    reloads: list[SentInteraction] = []
    started = time.monotonic()
    next_reload = started + reload_every
    while (now := time.monotonic()) < started + seconds:
        if now >= next_reload:
            await asyncio.to_thread(change)
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
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline and not all(deliveries(standin, s) for s in sent + reloads):
        await asyncio.sleep(0.2)
    finals = [seconds for s in sent if (seconds := final_seconds(standin, s)) is not None]
    final_quantiles = statistics.quantiles(finals, n=100) if len(finals) > 1 else [finals[0] if finals else 0.0] * 99
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
        final_p50_ms=final_quantiles[49] * 1000,
        final_p99_ms=final_quantiles[98] * 1000,
        busy=sum(any(BUSY in str(message.get("content")) for message in messages_for(standin, s)) for s in sent),
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
