"""End to end: two ``quotebot run`` processes, ``--shard-count 2``, one shard each, sharing one corpus root.

Each is the real command (``tests.discord_standin.launch`` only points discord.py at the stand-in and
labels the process's requests). Each server is answered by the process owning its shard, and only that
process loads its corpus; a reload in one server rebuilds only in that process; a change of the shared
corpus, by the owner's slash command in one process or by ``quotebot corpus reload`` in a shell,
reaches both.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest_asyncio

from quotebot.bot.cli.sync import sync_commands
from quotebot.bot.settings import Settings
from quotebot.retrieval.index.cache import CACHE_FILE
from tests.bot.e2e import CALLBACK, EDIT_ORIGINAL, copy_corpus
from tests.conftest import REPO_ROOT
from tests.discord_standin import DiscordStandin, SentInteraction, World, second_guild
from tests.discord_standin.fixtures import checked_standin
from tests.discord_standin.launch import LABEL_PREFIX

BASALT = b"# Basalt columns\n\nThe basalt columns of the eastern cliffs cooled from lava some 60 million years ago.\n"
BASALT_QUESTION = "How long ago did the basalt columns of the eastern cliffs cool from lava?"
TIDE_POOLS = b"# Tide pools\n\nHermit crabs and purple sea urchins live in the tide pools below the old pier.\n"
TIDE_QUESTION = "What lives in the tide pools below the old pier?"
GLACIER = b"# Glaciers\n\nThe Vatna glacier retreated 400 metres between the summers of 2015 and 2019.\n"
GLACIER_QUESTION = "How far did the Vatna glacier retreat between 2015 and 2019?"
ZANZIBARITE = b"# Zanzibarite\n\nThe zanzibarite deposits of the northern valley were first surveyed in 1911.\n"
ZANZIBARITE_QUESTION = "When were the zanzibarite deposits first surveyed?"
READY = " ready as "
FOLLOWED = "Shared corpus reloaded after a change elsewhere"
POLL_SECONDS = 0.25


@dataclass
class BotProcess:
    """One ``quotebot run`` process and the log lines it wrote so far."""

    label: str
    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)

    async def read(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.lines.append(line.decode(errors="replace").rstrip())

    def log(self) -> str:
        return "\n".join(self.lines)

    async def wait_for(self, text: str, *, count: int = 1, timeout: float = 30.0) -> float:
        """Wait until ``text`` appears in ``count`` lines; the seconds it took."""
        started = time.monotonic()
        while sum(text in line for line in self.lines) < count:
            if self.process.returncode is not None or time.monotonic() - started > timeout:
                raise AssertionError(f"{self.label} never logged {text!r}:\n{self.log()}")
            await asyncio.sleep(0.05)
        return time.monotonic() - started


@pytest_asyncio.fixture
async def sharded_standin() -> AsyncIterator[DiscordStandin]:
    world = World.default()
    async with checked_standin(world.with_guilds(second_guild(world), recommended_shards=2)) as standin:
        yield standin


def environment(standin: DiscordStandin, shared: Path, servers: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUOTEBOT_") and key != "DISCORD_TOKEN"}
    return env | {
        "PYTHONPATH": str(REPO_ROOT),
        "DISCORD_TOKEN": standin.token,
        "QUOTEBOT_CORPUS": str(shared),
        "QUOTEBOT_SERVER_CORPORA": str(servers),
        "QUOTEBOT_SHARED_POLL_SECONDS": str(POLL_SECONDS),
        "QUOTEBOT_ASK_COOLDOWN_RATE": "0",
    }


@contextlib.asynccontextmanager
async def bot_processes(standin: DiscordStandin, env: dict[str, str], cwd: Path) -> AsyncIterator[list[BotProcess]]:
    """``quotebot run --shard-count 2 --shard-ids N`` for N = 0 and 1, until both are ready; SIGTERM after."""
    processes: list[BotProcess] = []
    for shard in (0, 1):
        command = [sys.executable, "-m", "tests.discord_standin.launch", "--api", standin.api_url]
        command += ["--gateway", standin.gateway_url, "--label", f"shard-{shard}", "--"]
        command += ["run", "--shard-count", "2", "--shard-ids", str(shard)]
        process = await asyncio.create_subprocess_exec(
            *command, env=env, cwd=cwd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        processes.append(BotProcess(f"shard-{shard}", process))
    readers = [asyncio.create_task(bot.read()) for bot in processes]
    try:
        await asyncio.gather(*(bot.wait_for(READY) for bot in processes))
        yield processes
    finally:
        for bot in processes:
            with contextlib.suppress(ProcessLookupError):
                bot.process.send_signal(signal.SIGTERM)
        for bot in processes:
            await asyncio.wait_for(bot.process.wait(), 15)
        await asyncio.gather(*readers)


def process_of(standin: DiscordStandin, sent: SentInteraction) -> str:
    """The process that was sent an interaction (the label ``launch`` put in its gateway session's User-Agent).

    An interaction's token goes only to the session it is dispatched on, so only that process can answer it.
    """
    (dispatched,) = standin.frames_of("INTERACTION_CREATE", where=lambda frame: frame.d["id"] == str(sent.id))
    labels = {session.shard_id: session.user_agent.rsplit(LABEL_PREFIX, 1)[-1] for session in standin.sessions}
    return labels[dispatched.shard]


async def test_two_processes_each_serve_their_shards_servers_and_follow_the_shared_corpus(
    sharded_standin, clean_env, tmp_path
):
    standin = sharded_standin
    world = standin.world
    a, b = world.guilds
    lobby = b.text_channels[0]
    shared, servers = copy_corpus(tmp_path), tmp_path / "servers"
    for guild, name, text in ((a, "basalt.md", BASALT), (b, "tide-pools.md", TIDE_POOLS)):
        (servers / str(guild.id) / "documents").mkdir(parents=True)
        (servers / str(guild.id) / "documents" / name).write_bytes(text)
    env = environment(standin, shared, servers)
    await sync_commands(Settings(discord_token=standin.token, corpus=shared, server_corpora=servers), standin.token, None)

    async def answered_by(question: str, **options) -> tuple[str, str]:  # type: ignore[no-untyped-def]
        sent = await standin.send_interaction("ask", {"question": question}, **options)
        reply = await standin.wait_for_request(CALLBACK, interaction=sent, timeout=15)
        embeds = reply.json["data"].get("embeds") or [{}]
        return process_of(standin, sent), embeds[0].get("description", "(declined)")

    async def moderated(command: str, options: dict, **where) -> tuple[str, str]:  # type: ignore[no-untyped-def]
        sent = await standin.send_interaction(command, options, **where)
        reply = await standin.wait_for_request(EDIT_ORIGINAL, interaction=sent, timeout=15)
        return process_of(standin, sent), reply.json["content"]

    async with bot_processes(standin, env, tmp_path) as (first, second):
        identified = sorted((session.shard, session.user_agent.rsplit(LABEL_PREFIX, 1)[-1]) for session in standin.sessions)
        in_a = await answered_by(BASALT_QUESTION)
        in_b = await answered_by(TIDE_QUESTION, channel=lobby)
        b_cache = servers / str(b.id) / "documents" / ".quotebot-cache" / CACHE_FILE
        b_cache_before = b_cache.stat().st_mtime_ns

        (servers / str(a.id) / "documents" / "glacier.md").write_bytes(GLACIER)
        reload_in_a = await moderated("corpus reload", {}, user=world.morgan)

        upload = standin.add_attachment("Zanzibarite.md", ZANZIBARITE)
        owner_change = await moderated("corpus add", {"file": upload, "shared": True}, user=world.owner)
        announced = time.monotonic()
        await second.wait_for(FOLLOWED)
        reached_second = time.monotonic() - announced
        shared_in_b = await answered_by(ZANZIBARITE_QUESTION, channel=lobby)

        (shared / "glacier-shared.md").write_bytes(GLACIER.replace(b"Vatna", b"Skaft"))
        shell_started = time.monotonic()
        shell = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "quotebot", "corpus", "reload", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        shell_out, shell_err = await shell.communicate()
        shell_seconds = time.monotonic() - shell_started
        await asyncio.gather(first.wait_for(FOLLOWED), second.wait_for(FOLLOWED, count=2))
        reached_both = time.monotonic() - shell_started
        shell_in_a = await answered_by("How far did the Skaft glacier retreat?")
        shell_in_b = await answered_by("How far did the Skaft glacier retreat?", channel=lobby)
        b_cache_after = b_cache.stat().st_mtime_ns

    print(
        f"\nthe owner's shared change reached the other process in {reached_second:.2f} s; `quotebot corpus reload` "
        f"took {shell_seconds:.2f} s and both processes had reloaded {reached_both:.2f} s after it started"
    )
    assert identified == [((0, 2), "shard-0"), ((1, 2), "shard-1")]
    interactions = {frame.d["guild_id"]: frame.shard for frame in standin.frames_of("INTERACTION_CREATE")}
    assert interactions == {str(a.id): 0, str(b.id): 1}  # every interaction of a server went to its shard only
    assert in_a[0] == "shard-0" and "60 million years" in in_a[1]
    assert in_b[0] == "shard-1" and "Hermit crabs" in in_b[1]
    assert f"Loaded corpus {a.id} " in first.log() and str(b.id) not in first.log()
    assert f"Loaded corpus {b.id} " in second.log() and str(a.id) not in second.log()
    assert reload_in_a[0] == "shard-0" and reload_in_a[1].split("\n")[1] == "Added: `glacier.md`"
    assert "Corpus change" not in second.log() and b_cache_after == b_cache_before
    assert owner_change[0] == "shard-0" and owner_change[1].split("\n")[1] == "Added: `zanzibarite.md`"
    assert sum(FOLLOWED in line for line in first.lines) == 1  # its own change is not reloaded twice
    assert shared_in_b[0] == "shard-1" and "1911" in shared_in_b[1]
    assert shell.returncode == 0 and b"every running quotebot reloads it" in shell_out, shell_err
    assert shell_in_a[0] == "shard-0" and "Skaft" in shell_in_a[1]
    assert shell_in_b[0] == "shard-1" and "Skaft" in shell_in_b[1]
    assert reached_second < 3 and reached_both < shell_seconds + 3
    assert [bot.process.returncode for bot in (first, second)] == [0, 0]
