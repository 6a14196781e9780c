"""End to end: a real ``quotebot run`` with ``QUOTEBOT_METRICS_PORT`` set, scraped while the stand-in asks questions."""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from collections.abc import Callable

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from quotebot import __version__
from quotebot.bot.cli import runner
from quotebot.bot.cli.sync import sync_commands
from quotebot.bot.settings import Settings
from tests.bot.e2e import ANSWERABLE, CALLBACK, OFF_TOPIC, copy_corpus
from tests.bot.test_e2e_shards import READY, BotProcess, environment
from tests.discord_standin import DiscordStandin

#: A server corpus too large to embed before serving (over 64 passages): its vectors come in the background.
LOGBOOK_PASSAGES = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def logbook() -> str:
    """A lighthouse keeper's logbook, one section a day: nothing in it answers questions about France."""
    days = []
    for day in range(LOGBOOK_PASSAGES):
        days.append(
            f"## Day {day + 1}\n\nThe keeper trimmed wick number {day} at dusk, recorded a swell of {day % 7} feet "
            f"from the south-west, counted {day * 3 % 11} fishing boats passing the reef, and noted that the "
            f"brass of lens panel {day % 12} needed polishing before the {day % 5 + 1} o'clock watch. "
            "The oil store held enough for the week, and the fog bell was tested twice."
        )
    return "# The keeper's logbook\n\n" + "\n\n".join(days) + "\n"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(scraped: dict, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    return sum(v for (n, found), v in scraped.items() if n == name and set(labels.items()) <= set(found))


async def scrape(port: int) -> dict:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as response:
        assert response.status == 200
        return samples(await response.text())


async def scrape_until(port: int, ready: Callable[[dict], bool], timeout: float = 15.0) -> dict:
    """Scrape until ``ready`` holds (the gauges are read once a second); the last scrape either way."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not ready(scraped := await scrape(port)) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.25)
    return scraped


async def ask(standin: DiscordStandin, question: str) -> None:
    sent = await standin.send_interaction("ask", {"question": question})
    await standin.wait_for_request(CALLBACK, interaction=sent, timeout=30)


async def test_the_metrics_endpoint_counts_what_members_see(discord_standin, clean_env, tmp_path):
    standin = discord_standin
    shared, servers = copy_corpus(tmp_path), tmp_path / "servers"
    documents = servers / str(standin.world.guild.id) / "documents"
    documents.mkdir(parents=True)
    (documents / "logbook.md").write_text(logbook())
    port = free_port()
    env = environment(standin, shared, servers) | {"QUOTEBOT_METRICS_PORT": str(port)}
    await sync_commands(Settings(discord_token=standin.token, corpus=shared, server_corpora=servers), standin.token, None)
    command = [sys.executable, "-m", "tests.discord_standin.launch", "--api", standin.api_url]
    command += ["--gateway", standin.gateway_url, "--label", "metrics", "--", "run"]
    process = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    bot = BotProcess("metrics", process)
    reader = asyncio.create_task(bot.read())
    try:
        await bot.wait_for(READY, timeout=60)
        assert f"Metrics at http://127.0.0.1:{port}/metrics" in bot.log()
        before = await scrape(port)

        await ask(standin, OFF_TOPIC)  # loads the server's corpus: its logbook starts embedding in the background
        declined = await scrape_until(port, lambda scraped: value(scraped, "quotebot_loaded_corpora") == 1)

        for _ in range(2):
            await ask(standin, ANSWERABLE)
        mention = await standin.send_message(f"{standin.world.bot.mention} {ANSWERABLE}")
        await standin.wait_for_reply(mention, timeout=30)
        standin.timing.callback_window = 0.0  # Discord saw the bot as too slow: its reply is refused
        await ask(standin, ANSWERABLE)
        standin.timing.callback_window = 3.0
        await bot.wait_for("Discord did not take /ask")
        after = await scrape(port)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 20)
        await reader

    assert value(before, "quotebot_build_info", version=__version__) == 1
    assert value(before, "quotebot_questions_total", outcome="declined", via="ask") == 0

    assert value(declined, "quotebot_questions_total", outcome="declined", via="ask") == 1
    assert value(declined, "quotebot_answer_seconds_count", via="ask") == 1
    assert value(declined, "quotebot_loaded_corpora") == 1, "the server's own corpus, loaded by its first question"
    backlog = value(declined, "quotebot_embedding_backlog_passages")
    assert 0 < backlog <= LOGBOOK_PASSAGES, "the logbook's passages wait for their vectors"
    assert value(declined, "quotebot_corpora_embedding") == 1
    assert value(declined, "quotebot_event_loop_lag_seconds_count") >= 1

    asked, mentioned = (value(after, "quotebot_questions_total", via=via) for via in ("ask", "mention"))
    assert (asked, mentioned) == (4, 1)
    outcomes = sum(value(after, "quotebot_questions_total", outcome=o) for o in ("answered", "unsure", "declined"))
    paths = sum(value(after, "quotebot_questions_total", ranking=r) for r in ("semantic", "lexical"))
    assert outcomes == paths == 5, "every question counted once by outcome, and once by the path that ranked it"
    assert value(after, "quotebot_questions_total", outcome="declined", via="ask") == 1
    assert value(after, "quotebot_answer_seconds_count", via="ask") == 4
    assert 0 < value(after, "quotebot_answer_seconds_sum", via="ask") < 30
    assert value(after, "quotebot_delivery_failures_total", route=CALLBACK) == 1
    lag_count = value(after, "quotebot_event_loop_lag_seconds_count")
    assert lag_count >= 2 and value(after, "quotebot_event_loop_lag_seconds_sum") < lag_count  # under 1 s each


def test_metrics_are_off_unless_a_port_is_set(clean_env):
    assert Settings().metrics_port is None
    assert runner.serve_metrics(Settings()) is None


def test_a_taken_port_is_one_line_and_exit_2(clean_env, monkeypatch, capsys, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("DISCORD_TOKEN", "MTMxNzAwMDAwMDAwMDAwMDAwMQ.some.token")
        monkeypatch.setenv("QUOTEBOT_METRICS_PORT", str(port))
        monkeypatch.setenv("QUOTEBOT_SEMANTIC", "off")
        monkeypatch.setattr(runner, "setup_logging", lambda level, log_format: None)
        assert runner.main(argparse.Namespace(corpus=copy_corpus(tmp_path))) == 2
    err = capsys.readouterr().err
    assert err == (
        f"quotebot: QUOTEBOT_METRICS_PORT: cannot serve metrics on 127.0.0.1:{port} "
        "(Address already in use)\n"
    )
