"""``quotebot doctor``: what a new operator needs to know before asking for help.

Every check prints one line: ``ok:``, ``note:`` (worth knowing, nothing to fix) or ``problem:`` (what is
wrong, and what to do about it). The exit status is 0 when there is no problem and 1 otherwise; nothing,
not even a refused token or an unreachable Discord, ends in a traceback.

Discord is asked over HTTP only, with the token (no gateway session, so a running bot is not disturbed):
the token itself, the application's privileged intents against the settings, the commands registered
against this version's, and the bot's permissions in each server it is in. The files are checked on
this machine: the corpus folders, the semantic model's files against their recorded SHA-256, and the
free disk space. Last comes the invite URL with exactly the permissions quotebot needs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord

from quotebot.bot.cli.runner import DISCORD_FAILURES, MISSING_TOKEN, REJECTED_TOKEN, token_of
from quotebot.bot.client import QuoteBot
from quotebot.bot.servers.folders import ServerFolders
from quotebot.bot.servers.settings import ServerSettings, defaults_for
from quotebot.bot.servers.settings_store import ServerSettingsStore
from quotebot.bot.settings import FOLDERS_OVERLAP, ConfigurationError, Settings, load_settings
from quotebot.retrieval import (
    LiveEngine,
    SemanticUnavailable,
    cache_folders,
    checked_digests,
    describe_corpus,
    is_shipped,
    model_files,
)

#: What the bot needs in a server: read and answer in channels and threads, with embeds, replying to messages.
REQUIRED_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,
)
#: Replying to a member's message (a mention, **Post as reply**) needs these in its channel.
POST = discord.Permissions(view_channel=True, send_messages=True, read_message_history=True)
#: Answering a new thread unasked needs these in the forum or channel that holds it.
THREAD_ANSWER = discord.Permissions(view_channel=True, send_messages_in_threads=True, read_message_history=True)
SCOPES = ("bot", "applications.commands")
#: Below this much free space a saved index, an upload or a question log may fail to be written.
MIN_FREE_BYTES = 1 << 30
SYNC_HINT = "run `quotebot sync` (or `quotebot sync --guild ID` to see them at once in one server)"
#: What comparing a registered command with this version's looks at: what members see and may use.
COMMAND_KEYS = ("name", "type", "description", "options", "default_member_permissions")
OPTION_KEYS = ("name", "type", "description", "required", "choices", "options", "autocomplete", "channel_types",
               "min_value", "max_value", "min_length", "max_length")


@dataclass
class Findings:
    """The lines to print, in order, and how many are problems."""

    lines: list[str] = field(default_factory=list)
    problems: int = 0

    def ok(self, text: str) -> None:
        self.lines.append(f"ok: {text}")

    def note(self, text: str) -> None:
        self.lines.append(f"note: {text}")

    def problem(self, text: str) -> None:
        self.problems += 1
        self.lines.append(f"problem: {text}")


def main(args: argparse.Namespace) -> int:
    findings = Findings()
    try:
        # Folders inside each other are one of the problems to list, not a reason to stop.
        settings = load_settings(argparse.Namespace(**{**vars(args), "serves_servers": False}))
    except ConfigurationError as error:
        for line in str(error).splitlines():
            findings.problem(line.removeprefix("quotebot: "))
        return report(findings)
    check_folders(settings, findings)
    check_model(settings, findings)
    check_disk(settings, findings)
    try:
        token = token_of(settings)
    except ConfigurationError:
        findings.problem(MISSING_TOKEN.removeprefix("quotebot: ").split(" Without Discord")[0])
        return report(findings)
    try:
        asyncio.run(check_discord(settings, token, findings, args.servers))
    except discord.LoginFailure:
        findings.problem(REJECTED_TOKEN.removeprefix("quotebot: "))
    except DISCORD_FAILURES as error:
        findings.problem(f"could not talk to Discord: {error}")
    return report(findings)


def report(findings: Findings) -> int:
    for line in findings.lines:
        print(line)
    if findings.problems:
        print(f"{findings.problems} problem{'s' if findings.problems > 1 else ''} found.")
        return 1
    print("All checks passed.")
    return 0


# -- this machine ----------------------------------------------------------------------------------------


def check_folders(settings: Settings, findings: Findings) -> None:
    """The shared corpus must be readable; the server folder readable and writable (or creatable)."""
    corpus, servers = settings.corpus, settings.server_corpora
    if not corpus.is_dir():
        findings.problem(f"the shared corpus folder {corpus} does not exist (QUOTEBOT_CORPUS)")
    elif not os.access(corpus, os.R_OK | os.X_OK):
        findings.problem(f"the shared corpus folder {corpus} cannot be read by this user (QUOTEBOT_CORPUS)")
    elif is_shipped(corpus) or not os.access(corpus, os.W_OK):
        findings.ok(f"shared corpus: {describe_corpus(corpus)}, readable")
        findings.note(
            "the shared corpus cannot be written here: its index is saved in the user cache folder, and the "
            "owner's /corpus add, remove and reload with shared:True are refused"
        )
    else:
        findings.ok(f"shared corpus: {describe_corpus(corpus)}, readable and writable")
    existing = _existing_ancestor(servers)
    if existing is not None and not existing.is_dir():
        findings.problem(f"{existing} is a file, not a folder (QUOTEBOT_SERVER_CORPORA)")
    elif existing is None or not os.access(existing, os.R_OK | os.W_OK | os.X_OK):
        findings.problem(f"the server folder {servers} cannot be read and written by this user (QUOTEBOT_SERVER_CORPORA)")
    else:
        made = "" if servers.exists() else " (created when the first server adds a document)"
        findings.ok(f"server folders in {servers}, readable and writable{made}")
    if settings.folders_overlap():
        findings.problem(FOLDERS_OVERLAP.removeprefix("quotebot: "))


def check_model(settings: Settings, findings: Findings) -> None:
    """The semantic model's two files, against the SHA-256 recorded for the bundled model."""
    if not settings.semantic:
        findings.note("the semantic model is off (QUOTEBOT_SEMANTIC): answers are chosen by words alone")
        return
    try:
        files = model_files(settings.semantic_model)
        model, tokenizer = checked_digests(files)
    except SemanticUnavailable as error:
        findings.problem(f"{error}: answers fall back to words alone")
        return
    if files.model_sha256 is None:
        findings.ok(
            f"model files in {files.model.parent} read (model.onnx {model[:12]}…, tokenizer.json {tokenizer[:12]}…; "
            "a model of your own has no recorded hash to compare)"
        )
    else:
        findings.ok(f"model files match their recorded SHA-256 (model.onnx {model[:12]}…, tokenizer.json {tokenizer[:12]}…)")


def check_disk(settings: Settings, findings: Findings) -> None:
    """Free space where indexes, uploads and question logs are written, once per file system."""
    places = [("server folders", settings.server_corpora)]
    places += [("the shared corpus's index", folder) for folder in cache_folders(settings.corpus)]
    seen: set[int] = set()
    for what, place in places:
        existing = _existing_ancestor(place)
        if existing is None:
            continue
        device = existing.stat().st_dev
        if device in seen:
            continue
        seen.add(device)
        free = shutil.disk_usage(existing).free
        text = f"{free / (1 << 30):.1f} GiB free on the disk holding {what} ({existing})"
        if free < MIN_FREE_BYTES:
            findings.problem(f"only {text}: indexes, uploads and question logs need room (at least 1 GiB)")
        else:
            findings.ok(text)


def _existing_ancestor(path: Path) -> Path | None:
    """``path``, or its nearest ancestor that exists."""
    for candidate in (path.absolute(), *path.absolute().parents):
        if candidate.exists():
            return candidate
    return None


# -- Discord ---------------------------------------------------------------------------------------------


async def check_discord(settings: Settings, token: str, findings: Findings, max_servers: int) -> None:
    """Log in over HTTP, then check the intents, the commands and each server's permissions."""
    bot = QuoteBot(settings, LiveEngine(settings.corpus), sync_dev_guild=False)
    async with bot:
        await bot.login(token)  # a refused token raises LoginFailure; setup_hook loads the commands
        assert bot.user is not None and bot.application is not None
        findings.ok(f"Discord accepted the token: logged in as {bot.user} (id {bot.user.id})")
        check_intents(settings, bot.application.flags, findings)
        await check_commands(bot, bot.application.id, findings)
        await check_servers(bot, findings, max_servers)
        invite = discord.utils.oauth_url(bot.application.id, permissions=REQUIRED_PERMISSIONS, scopes=SCOPES)
        findings.lines.append(f"invite: {invite}")


def check_intents(settings: Settings, flags: discord.ApplicationFlags, findings: Findings) -> None:
    """Message content is needed for automatic answers only, and then the Developer Portal must allow it."""
    allowed = flags.gateway_message_content or flags.gateway_message_content_limited
    if settings.auto_answer and not allowed:
        findings.problem(
            "QUOTEBOT_AUTO_ANSWER is on, but the application may not read message content: turn on Message "
            "Content Intent under Privileged Gateway Intents on the Developer Portal's Bot page, or set "
            "QUOTEBOT_AUTO_ANSWER=off"
        )
    elif settings.auto_answer:
        findings.ok("intents: the application may read message content, as QUOTEBOT_AUTO_ANSWER=on needs")
    else:
        findings.ok("intents: no privileged intent needed (QUOTEBOT_AUTO_ANSWER is off)")


async def check_commands(bot: QuoteBot, application_id: int, findings: Findings) -> None:
    """The commands registered globally (or in ``QUOTEBOT_DEV_GUILD_ID``'s server) against this version's."""
    ours = {_key(c): _comparable(c, COMMAND_KEYS) for c in (cmd.to_dict(bot.tree) for cmd in bot.tree.get_commands())}
    scopes: list[tuple[str, list[dict[str, Any]]]] = [
        ("globally", await bot.http.get_global_commands(application_id))  # type: ignore[list-item]
    ]
    dev_guild = bot.settings.dev_guild_id
    if dev_guild is not None:
        registered = await bot.http.get_guild_commands(application_id, dev_guild)
        scopes.append((f"in server {dev_guild} (QUOTEBOT_DEV_GUILD_ID)", registered))  # type: ignore[arg-type]
    differences = {where: _differences(ours, registered) for where, registered in scopes if registered}
    matching = [where for where, found in differences.items() if not found]
    if matching:
        findings.ok(f"{len(ours)} commands registered {' and '.join(matching)} match this version")
        if len(matching) > 1:
            findings.note(f"registered both globally and in server {dev_guild}: members there see each command twice")
    elif differences:
        where, found = next(iter(differences.items()))
        findings.problem(f"the commands registered {where} differ from this version ({'; '.join(found)}): {SYNC_HINT}")
    else:
        findings.problem(f"no commands are registered: {SYNC_HINT}")


def _key(command: dict[str, Any]) -> str:
    kind = command.get("type", 1)
    return f"/{command['name']}" if kind == 1 else f"“{command['name']}” (message menu)" if kind == 3 else command["name"]


def _comparable(payload: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """``payload`` reduced to ``keys``, with what Discord fills in by default (``type`` 1 for a command, no
    options, not required, an empty description for a menu) left out, and permissions as the string it returns."""
    kept: dict[str, Any] = {}
    for key in keys:
        value = payload.get(key)
        if key == "options" and value:
            value = [_comparable(option, OPTION_KEYS) for option in value]
        if key == "default_member_permissions" and value is not None:
            value = str(value)
        if value in (None, False, [], "") or (key == "type" and value == 1 and keys is COMMAND_KEYS):
            continue
        kept[key] = value
    return kept


def _differences(ours: dict[str, dict[str, Any]], registered: Iterable[dict[str, Any]]) -> list[str]:
    theirs = {_key(c): _comparable(c, COMMAND_KEYS) for c in registered}
    found = [f"{name} is missing" for name in ours if name not in theirs]
    found += [f"{name} changed" for name in ours if name in theirs and theirs[name] != ours[name]]
    found += [f"{name} is no longer one of quotebot's" for name in theirs if name not in ours]
    return found


async def check_servers(bot: QuoteBot, findings: Findings, max_servers: int) -> None:
    """The bot's permissions in each server, and the channels it cannot answer in."""
    guilds = [guild async for guild in bot.fetch_guilds(limit=None)]
    if not guilds:
        findings.note("the bot is in no server yet: invite it with the URL below")
        return
    for partial in guilds[:max_servers]:
        await check_server(bot, partial.id, findings)
    if len(guilds) > max_servers:
        findings.note(f"checked {max_servers} of {len(guilds)} servers (--servers {len(guilds)} checks them all)")


async def check_server(bot: QuoteBot, guild_id: int, findings: Findings) -> None:
    assert bot.user is not None
    guild = await bot.fetch_guild(guild_id)
    member = await guild.fetch_member(bot.user.id)
    channels = [channel for channel in await guild.fetch_channels() if not isinstance(channel, discord.CategoryChannel)]
    name = f"server “{guild.name}” ({guild.id})"
    missing = _missing(member.guild_permissions, REQUIRED_PERMISSIONS)
    if missing:
        findings.problem(
            f"{name}: the bot's roles lack {missing}; give them back, or invite the bot again with the URL below"
        )
    own = await ServerSettingsStore(ServerFolders(bot.settings.server_corpora)).fetch(guild.id)
    settings = own.over(defaults_for(bot.settings, _Channels(channels)))
    by_id = {channel.id: channel for channel in channels}
    trouble = _settings_trouble(bot.settings, settings, by_id, member)
    for line in trouble:
        findings.problem(f"{name}: {line}")
    closed = [
        f"#{channel.name}"
        for channel in channels
        if isinstance(channel, discord.TextChannel) and _missing(channel.permissions_for(member), POST)
    ]
    if closed:
        findings.note(
            f"{name}: the bot cannot post in {', '.join(closed)}: a mention or “Post as reply” there gets no "
            "answer (/ask still answers privately)"
        )
    if not missing and not trouble:
        findings.ok(f"{name}: the bot has every permission it needs")


def _settings_trouble(
    settings: Settings, server: ServerSettings, channels: dict[int, Any], member: discord.Member
) -> list[str]:
    """The channels this server's settings name where the bot cannot do what the setting asks of it."""
    needs: list[tuple[int, discord.Permissions, str]] = [
        (channel_id, POST, "allowed_channels lists") for channel_id in server.allowed_channel_ids or ()
    ]
    if server.mod_log_channel_id is not None:
        needs.append((server.mod_log_channel_id, POST, "is the mod_log_channel"))
    if settings.auto_answer:
        needs += [(channel_id, THREAD_ANSWER, "auto_answer_channels lists") for channel_id in server.auto_answer_channel_ids or ()]
    trouble = []
    for channel_id, needed, role in needs:
        channel = channels.get(channel_id)
        if channel is None:
            trouble.append(f"channel {channel_id}, which /corpus settings {role}, is gone or hidden from the bot")
        elif missing := _missing(channel.permissions_for(member), needed):
            trouble.append(f"#{channel.name}, which /corpus settings {role}, lacks {missing} for the bot")
    return trouble


def _missing(granted: discord.Permissions, needed: discord.Permissions) -> str:
    """The needed permissions ``granted`` lacks, named as in Discord's settings (``""`` when none)."""
    if granted.administrator:
        return ""
    names = [name for name, value in needed if value and not getattr(granted, name)]
    return ", ".join(name.replace("_", " ").title().replace("In Threads", "in Threads") for name in names)


class _Channels:
    """A fetched server's channels, answering ``defaults_for``'s one question (does the server have this channel?)."""

    def __init__(self, channels: Iterable[Any]) -> None:
        self._ids = {channel.id for channel in channels}

    def get_channel_or_thread(self, channel_id: int) -> object | None:
        return channel_id if channel_id in self._ids else None

