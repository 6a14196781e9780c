"""``quotebot run``: configure, load the corpus, connect to Discord, and stop cleanly.

A missing token is the most common first-run mistake, so it is caught before
anything else happens and answered with one line that also points to the
front ends that need no token; every other unusable setting is one line
naming its variable. A stop (SIGTERM, Ctrl-C) first lets the questions in
flight finish, or declines them clearly (``bot.shutdown``), within
``QUOTEBOT_STOP_TIMEOUT_SECONDS``; a second signal stops at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable

import aiohttp
import discord
from pythonjsonlogger.json import JsonFormatter

from quotebot.bot import metrics
from quotebot.bot.cli.corpus_check import warn_about_problems
from quotebot.bot.client import QuoteBot
from quotebot.bot.settings import ConfigurationError, Settings, load_settings
from quotebot.retrieval import LiveEngine

log = logging.getLogger(__name__)

MISSING_TOKEN = (
    "quotebot: DISCORD_TOKEN is not set. Put your bot's token in the environment or in a .env file "
    '(DISCORD_TOKEN=...). Without Discord, try `quotebot ask "your question"` or `quotebot chat`.'
)
REJECTED_TOKEN = "quotebot: Discord rejected DISCORD_TOKEN; copy the token again from the Developer Portal's Bot page."
REFUSED_INTENT = (
    "quotebot: Discord refused the Message Content intent that QUOTEBOT_AUTO_ANSWER=on asks for (gateway close "
    "code 4014): turn on Message Content Intent under Privileged Gateway Intents on the Developer Portal's Bot "
    "page, or set QUOTEBOT_AUTO_ANSWER=off."
)
# Failures to reach or be served by Discord at all, reported in one line instead of a traceback.
UNREACHABLE = (discord.HTTPException, aiohttp.ClientError, OSError)
# Every way a session with Discord can fail that ``failure_status`` explains in one line.
DISCORD_FAILURES = (discord.LoginFailure, discord.PrivilegedIntentsRequired, *UNREACHABLE)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

def token_of(settings: Settings) -> str:
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise ConfigurationError(MISSING_TOKEN)
    return token


def live_engine(settings: Settings) -> LiveEngine:
    """The corpus holder, with the semantic model unless ``QUOTEBOT_SEMANTIC`` is off or the model cannot load."""
    from quotebot.bot.cli import semantic_model

    return LiveEngine(settings.corpus, semantic_model(settings.semantic_model) if settings.semantic else None)


def configure(args: argparse.Namespace) -> tuple[Settings, str]:
    """The settings and the Discord token for a command that logs in; ``ConfigurationError`` if either is unusable."""
    settings = load_settings(args)
    return settings, token_of(settings)


def failure_status(error: Exception, *, unreachable: str = "could not talk to Discord") -> int:
    """Print the one line that explains why a command stopped, and return its exit status.

    ``error`` is a ``ConfigurationError`` (status 2) or one of ``DISCORD_FAILURES`` (status 1):
    a rejected token, a refused privileged intent, or anything else, said as ``quotebot: <unreachable>: <error>``.
    """
    if isinstance(error, ConfigurationError):
        print(error, file=sys.stderr)
        return 2
    if isinstance(error, discord.LoginFailure):
        print(REJECTED_TOKEN, file=sys.stderr)
    elif isinstance(error, discord.PrivilegedIntentsRequired):
        print(REFUSED_INTENT, file=sys.stderr)
    else:
        print(f"quotebot: {unreachable}: {error}", file=sys.stderr)
    return 1


def setup_logging(level: str, log_format: str = "text") -> None:
    """Log to stderr: discord.py's readable lines, or with ``json`` one JSON object a line for a collector."""
    formatter = (
        JsonFormatter(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
        if log_format == "json"
        else discord.utils.MISSING
    )
    discord.utils.setup_logging(formatter=formatter, level=logging.getLevelName(level), root=True)


def main(args: argparse.Namespace) -> int:
    """Run the bot until SIGINT/SIGTERM.

    Exit status: 0 after a clean stop, 1 when Discord refused the token or could
    not be reached, 2 when the configuration is unusable.
    """
    try:
        settings, token = configure(args)
        live = live_engine(settings)
    except ConfigurationError as error:
        return failure_status(error)
    setup_logging(settings.log_level, settings.log_format)
    bot = QuoteBot(settings, live)  # before loading: it notes the shared corpus's version first
    report = live.load()
    warn_about_problems(report.problems)
    log.info("Shared corpus %s: %d documents, %d passages", settings.corpus, report.documents, report.passages)
    try:
        stop_metrics = serve_metrics(settings)
    except ConfigurationError as error:
        live.close()
        return failure_status(error)
    try:
        asyncio.run(serve(bot, token, sample_metrics=stop_metrics is not None))
    except DISCORD_FAILURES as error:
        return failure_status(error)
    finally:
        if stop_metrics is not None:
            stop_metrics()
        live.close()  # saves the vectors computed since the last save
    return 0


def serve_metrics(settings: Settings) -> Callable[[], None] | None:
    """The Prometheus endpoint when ``QUOTEBOT_METRICS_PORT`` is set (what stops it), else ``None``."""
    if settings.metrics_port is None:
        return None
    try:
        stop = metrics.serve(settings.metrics_port, settings.metrics_host)
    except OSError as error:
        where = f"{settings.metrics_host}:{settings.metrics_port}"
        raise ConfigurationError(
            f"quotebot: QUOTEBOT_METRICS_PORT: cannot serve metrics on {where} ({error.strerror or error})"
        ) from None
    log.info("Metrics at http://%s:%d/metrics", settings.metrics_host, settings.metrics_port)
    return stop


async def serve(bot: QuoteBot, token: str, *, sample_metrics: bool = False) -> None:
    """Run ``bot`` until it stops by itself or a SIGINT/SIGTERM arrives, then stop it gracefully (reading the
    metrics' gauges meanwhile when ``sample_metrics``)."""
    signals = asyncio.Queue[int]()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C still ends asyncio.run
            loop.add_signal_handler(signum, signals.put_nowait, signum)
    sampling = metrics.sampling(bot.services.corpora) if sample_metrics else contextlib.nullcontext()
    try:
        async with bot, sampling:
            session = asyncio.create_task(bot.start(token), name="discord-session")
            first_signal = asyncio.create_task(signals.get(), name="stop-signal")
            await asyncio.wait({session, first_signal}, return_when=asyncio.FIRST_COMPLETED)
            first_signal.cancel()
            if not session.done():
                await _drain(bot, signals)
                await bot.close()
            await session
    finally:
        for signum in STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(signum)


async def _drain(bot: QuoteBot, signals: asyncio.Queue[int]) -> None:
    """Finish or decline the questions in flight, unless a second signal asks to stop at once."""
    timeout = bot.settings.stop_timeout_seconds
    log.info("Stop requested; finishing the %d questions in flight (at most %.0f s)", bot.services.shutdown.in_flight, timeout)
    drain = asyncio.create_task(bot.services.shutdown.drain(timeout), name="drain")
    second_signal = asyncio.create_task(signals.get(), name="second-stop-signal")
    await asyncio.wait({drain, second_signal}, return_when=asyncio.FIRST_COMPLETED)
    second_signal.cancel()
    if not drain.done():
        drain.cancel()
        log.warning("Stopping at once (second signal); questions still in flight are dropped")
        return
    report = drain.result()
    log.info(
        "Stopped taking questions: %d were in flight, %d still running when patience ran out; drained in %.2f s",
        report.in_flight,
        report.gave_up,
        report.seconds,
    )
