"""``quotebot doctor`` end to end against the Discord stand-in: green when all is well, one line per problem else.

The command runs as a user runs it (``quotebot.bot.cli.main``, in a worker thread, since it runs its own event
loop) with discord.py pointed at the stand-in; one test runs it as a separate process.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import NamedTuple

import pytest
import pytest_asyncio

from quotebot.bot import cli
from quotebot.bot.cli import doctor
from quotebot.bot.servers.folders import ServerFolders
from quotebot.retrieval.index import onnx_embedder
from tests.bot.e2e import copy_corpus
from tests.conftest import REPO_ROOT
from tests.discord_standin import ApplicationFlag, DiscordStandin, Permission, World, second_guild
from tests.discord_standin.fixtures import checked_standin
from tests.discord_standin.lifecycle import patch_discord
from tests.discord_standin.world import OVERWRITE_ROLE, Overwrite

INVITE = (
    "invite: https://discord.com/oauth2/authorize?client_id=1317000000000000001&scope=bot+applications.commands"
    "&permissions=274877991936"
)
GUILD = "server “Quote Lab” (1317000000000000100)"


class Outcome(NamedTuple):
    status: int
    lines: list[str]
    err: str

    @property
    def problems(self) -> list[str]:
        return [line for line in self.lines if line.startswith("problem: ")]


@pytest.fixture
def operator(clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new operator's folder: a corpus of their own, server folders beside it, nothing else set."""
    copy_corpus(tmp_path)
    monkeypatch.setenv("QUOTEBOT_CORPUS", str(tmp_path / "corpus"))
    monkeypatch.setenv("QUOTEBOT_SERVER_CORPORA", str(tmp_path / "servers"))
    return tmp_path


async def run_doctor(capsys: pytest.CaptureFixture[str], *argv: str) -> Outcome:
    capsys.readouterr()
    status = await asyncio.to_thread(cli.main, ["doctor", *argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return Outcome(status, captured.out.splitlines(), captured.err)


def only_problem(outcome: Outcome, text: str) -> None:
    assert (outcome.status, outcome.problems, outcome.lines[-1]) == (1, [f"problem: {text}"], "1 problem found.")


async def quotebot_sync(*argv: str) -> int:
    """``quotebot sync``, leaving the process's logging as it found it (sync sets it up as ``run`` does)."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        return await asyncio.to_thread(cli.main, ["sync", *argv])
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


async def sync(capsys: pytest.CaptureFixture[str], *argv: str) -> None:
    assert await quotebot_sync(*argv) == 0
    capsys.readouterr()


@pytest_asyncio.fixture
async def standin(operator: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordStandin]:
    async with checked_standin() as found:
        monkeypatch.setenv("DISCORD_TOKEN", found.token)
        yield found


@contextlib.asynccontextmanager
async def world_standin(world: World, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordStandin]:
    async with checked_standin(world) as found:
        monkeypatch.setenv("DISCORD_TOKEN", found.token)
        yield found


async def test_all_is_well_after_sync_exit_0_and_the_invite_url(standin, capsys):
    await sync(capsys)
    outcome = await run_doctor(capsys)
    assert outcome.status == 0, "\n".join(outcome.lines)
    assert outcome.problems == []
    assert "ok: Discord accepted the token: logged in as quotebot (id 1317000000000000001)" in outcome.lines
    assert "ok: intents: no privileged intent needed (QUOTEBOT_AUTO_ANSWER is off)" in outcome.lines
    assert "ok: 3 commands registered globally match this version" in outcome.lines
    assert f"ok: {GUILD}: the bot has every permission it needs" in outcome.lines
    assert "ok: model files match their recorded SHA-256 (model.onnx 8199be6f699a…, tokenizer.json be50c3628f2b…)" in outcome.lines
    assert any(line.startswith("ok: shared corpus: ") and line.endswith("readable and writable") for line in outcome.lines)
    assert outcome.lines[-2:] == [INVITE, "All checks passed."]
    assert outcome.err == ""


async def test_without_a_token_the_local_checks_still_run_and_the_token_is_the_one_problem(operator, capsys):
    outcome = await run_doctor(capsys)
    assert outcome.status == 1
    assert outcome.problems == [
        "problem: DISCORD_TOKEN is not set. Put your bot's token in the environment or in a .env file (DISCORD_TOKEN=...)."
    ]
    assert outcome.lines[-1] == "1 problem found."
    assert any(line.startswith("ok: model files match") for line in outcome.lines)


async def test_a_refused_token(standin, capsys, monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "MTMxNzAwMDAwMDAwMDAwMDAwMQ.wrong.token")
    outcome = await run_doctor(capsys)
    assert outcome.status == 1
    assert outcome.problems == [
        "problem: Discord rejected DISCORD_TOKEN; copy the token again from the Developer Portal's Bot page."
    ]


async def test_discord_out_of_reach_is_one_line(operator, capsys, monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "MTMxNzAwMDAwMDAwMDAwMDAwMQ.some.token")
    with patch_discord("http://127.0.0.1:9/api/v10", "ws://127.0.0.1:9/"):  # the discard port: nothing listens
        outcome = await run_doctor(capsys)
    assert outcome.status == 1
    [problem] = outcome.problems
    assert problem.startswith("problem: could not talk to Discord: Cannot connect to host 127.0.0.1:9")


async def test_commands_never_synced(standin, capsys):
    outcome = await run_doctor(capsys)
    assert outcome.problems == [
        ("problem: no commands are registered: run `quotebot sync` (or `quotebot sync --guild ID` to see them at once "
        "in one server)")
    ]


async def test_commands_of_another_version(standin, capsys):
    await sync(capsys)
    registered = standin.registered_commands()
    older = [dict(command) for command in registered if command["name"] != "corpus"]
    ask = next(command for command in older if command["name"] == "ask")
    ask["description"] = "Ask the old way"
    standin.register_commands([*older, {"name": "quote", "description": "Gone", "type": 1}])
    only_problem(
        await run_doctor(capsys),
        "the commands registered globally differ from this version (/corpus is missing; /ask changed; /quote is no "
        "longer one of quotebot's): run `quotebot sync` (or `quotebot sync --guild ID` to see them at once in one "
        "server)",
    )


async def test_commands_synced_to_the_dev_server_count_and_twice_is_a_note(standin, capsys, monkeypatch):
    monkeypatch.setenv("QUOTEBOT_DEV_GUILD_ID", str(standin.world.guild.id))
    await sync(capsys, "--guild", str(standin.world.guild.id))
    outcome = await run_doctor(capsys)
    assert outcome.status == 0
    assert f"ok: 3 commands registered in server {standin.world.guild.id} (QUOTEBOT_DEV_GUILD_ID) match this version" in outcome.lines
    await sync(capsys)
    outcome = await run_doctor(capsys)
    assert outcome.status == 0
    assert f"note: registered both globally and in server {standin.world.guild.id}: members there see each command twice" in outcome.lines


async def test_auto_answer_without_the_message_content_intent(operator, capsys, monkeypatch):
    world = World.default()
    world = dataclasses.replace(world, application_flags=ApplicationFlag.APPLICATION_COMMAND_BADGE)
    monkeypatch.setenv("QUOTEBOT_AUTO_ANSWER", "on")
    async with world_standin(world, monkeypatch):
        await sync(capsys)
        outcome = await run_doctor(capsys)
    only_problem(
        outcome,
        "QUOTEBOT_AUTO_ANSWER is on, but the application may not read message content: turn on Message Content "
        "Intent under Privileged Gateway Intents on the Developer Portal's Bot page, or set QUOTEBOT_AUTO_ANSWER=off",
    )


def _with_guild(world: World, **changes: object) -> World:
    return dataclasses.replace(world, guild=dataclasses.replace(world.guild, **changes))


async def test_missing_permissions_and_channels_the_bot_cannot_post_in(operator, capsys, monkeypatch):
    world = World.default()
    roles = tuple(
        dataclasses.replace(role, permissions=role.permissions & ~Permission.EMBED_LINKS & ~Permission.SEND_MESSAGES_IN_THREADS)
        if role.bot_id == world.bot.id or role.id == world.guild.id
        else role
        for role in world.guild.roles
    )
    closed = dataclasses.replace(world.quotes, overwrites=(Overwrite(world.guild.id, OVERWRITE_ROLE, deny=Permission.SEND_MESSAGES),))
    channels = tuple(closed if channel.id == closed.id else channel for channel in world.guild.channels)
    world = _with_guild(world, roles=roles, channels=channels)
    monkeypatch.setenv("QUOTEBOT_ALLOWED_CHANNEL_IDS", f"{world.general.id},{world.quotes.id}")
    async with world_standin(world, monkeypatch):
        await sync(capsys)
        outcome = await run_doctor(capsys)
    assert outcome.status == 1
    assert outcome.problems == [
        (f"problem: {GUILD}: the bot's roles lack Embed Links, Send Messages in Threads; give them back, or invite the "
        "bot again with the URL below"),
        f"problem: {GUILD}: #quotes, which /corpus settings allowed_channels lists, lacks Send Messages for the bot",
    ]
    assert f"note: {GUILD}: the bot cannot post in #quotes: a mention or “Post as reply” there gets no answer (/ask still answers privately)" in outcome.lines
    assert outcome.lines[-2:] == [INVITE, "2 problems found."]


async def test_a_servers_own_settings_are_read_from_its_folder(standin, operator, capsys):
    await sync(capsys)
    settings_file = ServerFolders(operator / "servers").settings_file(standin.world.guild.id)
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text('{"mod_log_channel_id": 42}')
    outcome = await run_doctor(capsys)
    assert outcome.problems == [
        f"problem: {GUILD}: channel 42, which /corpus settings is the mod_log_channel, is gone or hidden from the bot"
    ]


async def test_folders_that_cannot_be_used(standin, operator, capsys, monkeypatch):
    await sync(capsys)
    (operator / "not-a-folder").write_text("")
    monkeypatch.setenv("QUOTEBOT_CORPUS", str(operator / "missing"))
    monkeypatch.setenv("QUOTEBOT_SERVER_CORPORA", str(operator / "not-a-folder" / "servers"))
    outcome = await run_doctor(capsys)
    assert outcome.problems == [
        f"problem: the shared corpus folder {operator / 'missing'} does not exist (QUOTEBOT_CORPUS)",
        f"problem: {operator / 'not-a-folder'} is a file, not a folder (QUOTEBOT_SERVER_CORPORA)",
    ]


async def test_server_folders_inside_the_corpus(operator, capsys, monkeypatch):
    monkeypatch.setenv("QUOTEBOT_SERVER_CORPORA", str(operator / "corpus" / "servers"))
    outcome = await run_doctor(capsys)
    assert "problem: QUOTEBOT_CORPUS and QUOTEBOT_SERVER_CORPORA must be separate folders, neither inside the other" in outcome.problems


async def test_an_unusable_setting_is_a_problem_line(operator, capsys, monkeypatch):
    monkeypatch.setenv("QUOTEBOT_TOP_K", "99")
    outcome = await run_doctor(capsys)
    assert (outcome.status, outcome.problems) == (1, ["problem: QUOTEBOT_TOP_K: Input should be less than or equal to 10"])


async def test_model_files_that_are_not_the_recorded_ones(standin, capsys, monkeypatch, tmp_path):
    await sync(capsys)
    monkeypatch.setattr(onnx_embedder, "DEFAULT_MODEL_SHA256", "0" * 64)
    outcome = await run_doctor(capsys)
    [problem] = outcome.problems
    assert problem.startswith("problem: the semantic model file ")
    assert problem.endswith("model.onnx is not the one quotebot was built for (SHA-256 differs): answers fall back to words alone")
    folder = tmp_path / "my-model"
    folder.mkdir()
    shutil.copyfile(onnx_embedder.BUNDLED_TOKENIZER, folder / "tokenizer.json")
    monkeypatch.setenv("QUOTEBOT_SEMANTIC_MODEL", str(folder))
    outcome = await run_doctor(capsys)
    assert outcome.problems == [
        f"problem: the semantic model file {folder / 'model.onnx'} is missing: answers fall back to words alone"
    ]


async def test_a_nearly_full_disk(standin, capsys, monkeypatch):
    await sync(capsys)
    usage = shutil.disk_usage("/")
    monkeypatch.setattr(doctor.shutil, "disk_usage", lambda path: usage._replace(free=200 << 20))
    outcome = await run_doctor(capsys)
    [problem] = outcome.problems
    assert problem.startswith("problem: only 0.2 GiB free on the disk holding server folders")
    assert problem.endswith("indexes, uploads and question logs need room (at least 1 GiB)")


async def test_the_installed_command_in_its_own_process(standin, operator, capsys):
    await sync(capsys)
    command = [sys.executable, "-m", "tests.discord_standin.launch", "--api", standin.api_url]
    command += ["--gateway", standin.gateway_url, "--label", "doctor", "--", "doctor"]
    env = os.environ | {"PYTHONPATH": str(REPO_ROOT)}
    process = await asyncio.create_subprocess_exec(
        *command, cwd=operator, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, out.decode() + err.decode()
    assert out.decode().splitlines()[-2:] == [INVITE, "All checks passed."]
    assert err.decode() == ""


async def test_servers_past_the_limit_are_named_not_read(operator, capsys, monkeypatch):
    world = World.default()
    world = world.with_guilds(second_guild(world))
    async with world_standin(world, monkeypatch) as standin:
        await sync(capsys)
        outcome = await run_doctor(capsys, "--servers", "1")
        reads = [r.route for r in standin.requests if r.route.startswith("GET /guilds/")]
    assert outcome.status == 0
    assert "note: checked 1 of 2 servers (--servers 2 checks them all)" in outcome.lines
    assert f"ok: {GUILD}: the bot has every permission it needs" in outcome.lines
    assert not any("Second Lab" in line for line in outcome.lines)
    assert len(reads) == 3, "the guild, its channels and the bot's membership, of the first server only"


async def test_sync_clear_removes_a_servers_copy_of_the_commands(standin, capsys, monkeypatch):
    guild = str(standin.world.guild.id)
    monkeypatch.setenv("QUOTEBOT_DEV_GUILD_ID", guild)
    await sync(capsys)
    await sync(capsys, "--guild", guild)
    assert len(standin.registered_commands(guild=True)) == 3
    assert await quotebot_sync("--guild", guild, "--clear") == 0
    assert capsys.readouterr().out == f"Removed the commands from guild {guild}.\n"
    assert standin.registered_commands(guild=True) == []
    outcome = await run_doctor(capsys)
    assert outcome.status == 0
    assert "ok: 3 commands registered globally match this version" in outcome.lines
    assert not any("twice" in line for line in outcome.lines)
