"""How the bot is doing, for Prometheus: questions, answer times, failed replies, embedding backlog, corpora
loaded, event-loop lag.

The metrics are module-level, as prometheus_client intends (one process, one bot), in a registry of their
own so that nothing else's metrics are served. Counters and histograms are updated where things happen
(``answering``, ``delivery``, ``loop_lag``); the gauges are sampled once a second by ``sampling``, which ``quotebot run``
starts with the endpoint when ``QUOTEBOT_METRICS_PORT`` is set. Only counts and times are exposed: no
question text, no user, server or channel id.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from quotebot import __version__
from quotebot.retrieval import Answer, CorpusLibrary

REGISTRY = CollectorRegistry()
#: How often the gauges are read.
SAMPLE_SECONDS = 1.0

QUESTIONS = Counter(
    "quotebot_questions",
    "Questions answered, by outcome (answered, unsure, declined; busy: told to ask again, the bot overloaded), by how they were asked (ask, mention, "
    "message, thread) and by the path that ranked the answer (semantic: words and meaning; lexical: words alone).",
    ["outcome", "via", "ranking"],
    registry=REGISTRY,
)
ANSWER_SECONDS = Histogram(
    "quotebot_answer_seconds",
    "Time from a question reaching quotebot to its answer being ready, waiting for a retrieval slot included.",
    ["via"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
DELIVERY_FAILURES = Counter(
    "quotebot_delivery_failures",
    "Replies Discord did not take after quotebot's retries (an expired interaction, a fault outlasting the "
    "window), by route.",
    ["route"],
    registry=REGISTRY,
)
EMBEDDING_BACKLOG = Gauge(
    "quotebot_embedding_backlog_passages",
    "Passages of the corpora in memory still waiting for the semantic model's vectors (found by words alone "
    "until then).",
    registry=REGISTRY,
)
CORPORA_EMBEDDING = Gauge(
    "quotebot_corpora_embedding",
    "Corpora in memory whose passages are being embedded in the background.",
    registry=REGISTRY,
)
LOADED_CORPORA = Gauge(
    "quotebot_loaded_corpora",
    "Server corpora in memory (at most QUOTEBOT_MAX_LOADED_CORPORA), the shared corpus not counted.",
    registry=REGISTRY,
)
LOOP_LAG = Histogram(
    "quotebot_event_loop_lag_seconds",
    "How late the event loop ran a callback it had scheduled: over 0.1 s, Discord's events and replies wait.",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
BUILD = Gauge("quotebot_build_info", "quotebot's version, as a label; always 1.", ["version"], registry=REGISTRY)
BUILD.labels(version=__version__).set(1)


def count_answer(answer: Answer, via: str, seconds: float) -> None:
    """One question answered: its outcome, how it was asked, how long it took."""
    QUESTIONS.labels(outcome=answer.outcome.value, via=via, ranking=answer.ranking.value).inc()
    ANSWER_SECONDS.labels(via=via).observe(seconds)


def count_busy(via: str) -> None:
    """One question whose deadline passed before its turn: told to ask again."""
    QUESTIONS.labels(outcome="busy", via=via, ranking="none").inc()


def count_delivery_failure(route: str) -> None:
    DELIVERY_FAILURES.labels(route=route).inc()


def serve(port: int, host: str) -> Callable[[], None]:
    """Serve the metrics at ``http://host:port/metrics`` from a thread of its own; returns what stops it.

    ``OSError`` (the port is taken, the address is not this machine's) is for the caller to report.
    """
    server, thread = start_http_server(port, host, registry=REGISTRY)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop


@contextlib.asynccontextmanager
async def sampling(corpora: CorpusLibrary) -> AsyncIterator[None]:
    """Read the gauges every ``SAMPLE_SECONDS`` while the block runs."""
    task = asyncio.create_task(_sample(corpora), name="metrics-sampler")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _sample(corpora: CorpusLibrary) -> None:
    while True:
        await asyncio.sleep(SAMPLE_SECONDS)
        LOADED_CORPORA.set(len(corpora.loaded_names()))
        backlog = corpora.scheduler.backlog()
        EMBEDDING_BACKLOG.set(backlog.missing)
        CORPORA_EMBEDDING.set(backlog.corpora_embedding)
