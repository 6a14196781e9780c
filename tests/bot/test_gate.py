"""The one admission rule: which messages are questions for us, and which commands run now."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from discord import app_commands

from quotebot.bot.gate import QUESTION_COMMAND
from quotebot.bot.servers.settings import ServerSettings
from quotebot.bot.services import Services
from quotebot.bot.settings import Settings
from quotebot.bot.shutdown import ShuttingDown
from quotebot.bot.utils import checks
from quotebot.retrieval.live import LiveEngine

ME = 1317000000000000001
GUILD = 1317000000000000100
ELSEWHERE = 1317000000004194404
ALLOWED = 555
OTHER = 777


def guild_with_channels(guild_id: int, *channel_ids: int) -> SimpleNamespace:
    return SimpleNamespace(
        id=guild_id, get_channel_or_thread=lambda channel_id: object() if channel_id in channel_ids else None
    )


def build(clean_env, **settings) -> Services:
    guilds = {GUILD: guild_with_channels(GUILD, ALLOWED, OTHER), ELSEWHERE: guild_with_channels(ELSEWHERE, 888)}
    return Services.build(Settings(discord_token="x", allowed_channel_ids=[ALLOWED], **settings), LiveEngine(clean_env), guilds.get)


@pytest.fixture
def services(clean_env) -> Services:
    return build(clean_env)


async def question_in(services: Services, msg) -> str | None:
    return await services.gate.question_in(msg, SimpleNamespace(id=ME))


def message(
    content: str,
    *,
    bot_author: bool = False,
    dm: bool = False,
    channel: int = ALLOWED,
    parent: int | None = None,
    guild: int = GUILD,
):
    mentions = [int(m) for m in re.findall(r"<@!?(\d+)>", content)]
    return SimpleNamespace(
        author=SimpleNamespace(bot=bot_author, id=42),
        guild=None if dm else SimpleNamespace(id=guild),
        raw_mentions=mentions,
        content=content,
        channel=SimpleNamespace(id=channel, parent_id=parent),
    )


def command_interaction(*, asks: bool, channel: int = ALLOWED, user_id: int = 42) -> SimpleNamespace:
    return SimpleNamespace(
        command=SimpleNamespace(extras=QUESTION_COMMAND if asks else {}),
        guild_id=GUILD,
        channel=SimpleNamespace(id=channel, parent_id=None),
        user=SimpleNamespace(id=user_id),
    )


async def test_a_mention_is_a_question_without_the_mention(services):
    assert await question_in(services, message(f"<@{ME}> how many   defectors?")) == "how many defectors?"
    assert await question_in(services, message(f"so <@!{ME}>, how many?")) == "so , how many?"


async def test_direct_messages_are_questions_without_a_mention(services):
    assert await question_in(services, message("  how many defectors? ", dm=True, channel=OTHER)) == "how many defectors?"


@pytest.mark.parametrize(
    "msg",
    [
        message(f"<@{ME}> how many?", bot_author=True),
        message(f"<@{ME}> how many?", bot_author=True, dm=True),
        message("how many?"),
        message("<@42> how many?"),
        message(f"<@{ME}> how many?", channel=OTHER),
    ],
    ids=["other bot or itself", "bot in DM", "no mention", "someone else mentioned", "channel not allowed"],
)
async def test_what_is_not_a_question_for_us(services, msg):
    assert await question_in(services, msg) is None


async def test_threads_of_allowed_channels_are_allowed(services):
    assert await question_in(services, message(f"<@{ME}> how many?", channel=OTHER, parent=ALLOWED)) == "how many?"


async def test_allowed_channels_of_the_environment_restrict_only_the_server_that_has_them(services):
    assert await question_in(services, message(f"<@{ME}> how many?", channel=888, guild=ELSEWHERE)) == "how many?"


async def test_a_servers_own_allowed_channels_win_over_the_environment(services):
    services.server_settings.save(GUILD, ServerSettings(allowed_channel_ids=(OTHER,)))
    assert await question_in(services, message(f"<@{ME}> how many?", channel=ALLOWED)) is None
    assert await question_in(services, message(f"<@{ME}> how many?", channel=OTHER)) == "how many?"
    assert (services.folders.settings_file(GUILD)).is_file()


async def test_question_commands_are_refused_outside_the_allowed_channels(services):
    await services.gate.admit_command(command_interaction(asks=True))
    with pytest.raises(checks.ChannelNotAllowed):
        await services.gate.admit_command(command_interaction(asks=True, channel=OTHER))


async def test_other_commands_run_in_any_channel(services):
    await services.gate.admit_command(command_interaction(asks=False, channel=OTHER))


async def test_one_cooldown_for_commands_and_messages(clean_env):
    services = build(clean_env, ask_cooldown_rate=2, ask_cooldown_seconds=60)
    await services.gate.admit_command(command_interaction(asks=True))
    services.gate.admit_question(message(f"<@{ME}> how many?"))
    with pytest.raises(app_commands.CommandOnCooldown):
        await services.gate.admit_command(command_interaction(asks=True))
    await services.gate.admit_command(command_interaction(asks=True, user_id=43))  # another member is not held back
    await services.gate.admit_command(command_interaction(asks=False))  # nor are commands that ask nothing


async def test_nothing_is_taken_once_the_bot_stops(services):
    services.shutdown.stopping = True
    assert not services.gate.open
    with pytest.raises(ShuttingDown):
        await services.gate.admit_command(command_interaction(asks=True))
    with pytest.raises(ShuttingDown):
        await services.gate.admit_command(command_interaction(asks=False))
    with pytest.raises(ShuttingDown):
        services.gate.admit_question(message(f"<@{ME}> how many?"))
