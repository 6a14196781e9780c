"""Server-side permission checks and the shared per-user cooldown."""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from discord import app_commands

from quotebot.bot.utils import checks

MOD_ROLE = 555
OWNER = 99


def interaction(
    *, permissions: discord.Permissions, roles: tuple[int, ...] = (), guild_id: int | None = 1, user_id: int = 42
):
    user = MagicMock(spec=discord.Member)
    user.id = user_id
    user.get_role.side_effect = lambda role_id: object() if role_id in roles else None
    client = SimpleNamespace(
        services=SimpleNamespace(
            policy=SimpleNamespace(
                settings_of=AsyncMock(
                    side_effect=lambda guild: SimpleNamespace(moderator_role_id=MOD_ROLE if guild == 1 else None)
                )
            )
        ),
        is_owner=AsyncMock(side_effect=lambda someone: someone.id == OWNER),
    )
    return SimpleNamespace(guild_id=guild_id, permissions=permissions, user=user, client=client)


async def test_manage_server_makes_a_moderator():
    assert await checks.is_moderator(interaction(permissions=discord.Permissions(manage_guild=True)))


async def test_the_moderator_role_makes_a_moderator():
    assert await checks.is_moderator(interaction(permissions=discord.Permissions.none(), roles=(MOD_ROLE,)))


async def test_the_moderator_role_is_the_one_of_the_server_asking():
    assert not await checks.is_moderator(interaction(permissions=discord.Permissions.none(), roles=(MOD_ROLE,), guild_id=2))


def test_only_manage_server_changes_settings_not_the_moderator_role():
    checks.ensure_manager(interaction(permissions=discord.Permissions(manage_guild=True)))
    with pytest.raises(checks.NotManager, match="Manage Server"):
        checks.ensure_manager(interaction(permissions=discord.Permissions.none(), roles=(MOD_ROLE,)))


async def test_only_the_owner_changes_the_shared_corpus_and_the_refusal_says_so():
    await checks.ensure_owner(interaction(permissions=discord.Permissions.none(), user_id=OWNER))
    with pytest.raises(checks.NotOwner, match="Only the bot's owner can change the shared corpus"):
        await checks.ensure_owner(interaction(permissions=discord.Permissions.all()))


async def test_a_member_without_either_is_refused_with_a_reason():
    member = interaction(permissions=discord.Permissions(send_messages=True, manage_messages=True), roles=(7,))
    assert not await checks.is_moderator(member)
    with pytest.raises(checks.NotModerator, match="Only moderators"):
        await checks.ensure_moderator(member)


async def test_no_moderators_in_direct_messages():
    assert not await checks.is_moderator(interaction(permissions=discord.Permissions.all(), guild_id=None))


def test_only_the_asker_passes_ensure_asker():
    checks.ensure_asker(interaction(permissions=discord.Permissions.none(), user_id=42), 42)
    with pytest.raises(checks.NotAsker):
        checks.ensure_asker(interaction(permissions=discord.Permissions.none(), user_id=43), 42)


def test_refusals_are_check_failures_so_the_tree_treats_them_as_refusals():
    assert issubclass(checks.Refused, app_commands.CheckFailure)


def test_cooldown_is_per_user_and_says_when_to_retry():
    cooldown = checks.UserCooldown(rate=2, per=60)
    alice, bob = SimpleNamespace(id=1), SimpleNamespace(id=2)
    cooldown.hit(alice)
    cooldown.hit(alice)
    with pytest.raises(app_commands.CommandOnCooldown) as refused:
        cooldown.hit(alice)
    assert 0 < refused.value.retry_after <= 60
    cooldown.hit(bob)


@pytest.mark.parametrize("rate, per", [(0, 60), (3, 0)])
def test_a_zero_rate_or_period_disables_the_cooldown(rate, per):
    cooldown = checks.UserCooldown(rate=rate, per=per)
    for _ in range(100):
        cooldown.hit(SimpleNamespace(id=1))
