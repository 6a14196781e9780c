"""JSON payloads shaped like Discord's, built from the :mod:`world` objects.

Shapes follow Discord's API v10 as Discord sends them (snowflakes and
permission bit fields as strings, every required field present, nullable
fields as ``null``); the self-test checks the REST ones against Discord's own
OpenAPI response schemas, and discord.py 2.7.1 parses all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .world import (
    GUILD_FORUM,
    GUILD_TEXT,
    Attachment,
    Channel,
    Guild,
    Member,
    Overwrite,
    Role,
    User,
    World,
    snowflake_timestamp,
)

Payload = dict[str, Any]

#: Default upload limit of a guild without boosts; discord.py reads it from every interaction.
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

#: What Discord grants a bot in a DM: read and send, embed, attach, history, external emoji and reactions.
EVERYONE_DM_PERMISSIONS = (1 << 6) | (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 18)

INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_MESSAGE_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4

MESSAGE_DEFAULT = 0
MESSAGE_REPLY = 19
MESSAGE_CHAT_INPUT_COMMAND = 20
MESSAGE_CONTEXT_MENU_COMMAND = 23

#: How long a new thread stays open without activity (minutes), Discord's default for forum posts.
THREAD_AUTO_ARCHIVE_MINUTES = 4320

MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def user_payload(user: User) -> Payload:
    """A user object as embedded in messages, members and interactions."""
    payload: Payload = {
        "id": str(user.id),
        "username": user.username,
        "avatar": None,
        "discriminator": "0",
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "global_name": user.global_name,
        "avatar_decoration_data": None,
        "collectibles": None,
        "primary_guild": None,
    }
    if user.bot:
        payload["bot"] = True
    return payload


def current_user_payload(user: User) -> Payload:
    """``GET /users/@me`` for a bot token: the user plus the account fields only its owner sees."""
    return user_payload(user) | {
        "mfa_enabled": False,
        "locale": "en-US",
        "premium_type": 0,
        "email": None,
        "verified": True,
    }


def role_payload(role: Role) -> Payload:
    """A role object; a bot's managed role carries ``tags.bot_id`` like on Discord."""
    payload: Payload = {
        "id": str(role.id),
        "name": role.name,
        "permissions": str(role.permissions),
        "position": role.position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "managed": role.bot_id is not None,
        "mentionable": False,
        "icon": None,
        "unicode_emoji": None,
        "flags": 0,
    }
    if role.bot_id is not None:
        payload["tags"] = {"bot_id": str(role.bot_id)}
    return payload


def channel_payload(channel: Channel, guild_id: int, *, permissions: int | None = None) -> Payload:
    """A guild channel or thread object; interactions add the invoking member's ``permissions``."""
    if channel.is_thread:
        payload = thread_payload(channel, guild_id)
    else:
        payload = {
            "id": str(channel.id),
            "type": channel.type,
            "guild_id": str(guild_id),
            "name": channel.name,
            "position": channel.position,
            "flags": 0,
            "parent_id": None if channel.parent_id is None else str(channel.parent_id),
            "permission_overwrites": [overwrite_payload(overwrite) for overwrite in channel.overwrites],
            "nsfw": False,
        }
    if channel.type in (GUILD_TEXT, GUILD_FORUM):
        payload |= {"topic": channel.topic, "last_message_id": None, "rate_limit_per_user": 0}
    if channel.type == GUILD_FORUM:
        payload |= {
            "available_tags": [],
            "default_reaction_emoji": None,
            "default_sort_order": None,
            "default_forum_layout": 0,
            "default_thread_rate_limit_per_user": 0,
            "default_auto_archive_duration": THREAD_AUTO_ARCHIVE_MINUTES,
        }
    if permissions is not None:
        payload["permissions"] = str(permissions)
    return payload


def overwrite_payload(overwrite: Overwrite) -> Payload:
    """A channel's permission overwrite object."""
    return {"id": str(overwrite.id), "type": overwrite.type, "allow": str(overwrite.allow), "deny": str(overwrite.deny)}


def thread_payload(thread: Channel, guild_id: int) -> Payload:
    """A thread object (a forum post, or a thread of a text channel) as Discord sends it to a bot."""
    created = snowflake_timestamp(thread.id)
    return {
        "id": str(thread.id),
        "type": thread.type,
        "guild_id": str(guild_id),
        "parent_id": str(thread.parent_id),
        "owner_id": str(thread.owner_id),
        "name": thread.name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "applied_tags": [],
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": THREAD_AUTO_ARCHIVE_MINUTES,
            "archive_timestamp": created,
            "locked": False,
            "create_timestamp": created,
        },
    }


def dm_channel_payload(channel: Channel) -> Payload:
    """A direct-message channel object (``type`` 1) with its one recipient."""
    assert channel.recipient is not None
    return {
        "id": str(channel.id),
        "type": channel.type,
        "last_message_id": None,
        "flags": 0,
        "recipients": [user_payload(channel.recipient)],
    }


def member_payload(member: Member, *, with_user: bool = True, permissions: int | None = None) -> Payload:
    """A guild member object; MESSAGE_CREATE omits ``user``, interactions add ``permissions``."""
    payload: Payload = {
        "avatar": None,
        "banner": None,
        "communication_disabled_until": None,
        "flags": 0,
        "joined_at": member.joined_at,
        "nick": member.nick,
        "pending": False,
        "premium_since": None,
        "roles": [str(role_id) for role_id in member.role_ids],
        "mute": False,
        "deaf": False,
    }
    if with_user:
        payload["user"] = user_payload(member.user)
    if permissions is not None:
        payload["permissions"] = str(permissions)
    return payload


def unavailable_guild_payload(guild: Guild) -> Payload:
    """The stub READY lists for each guild before its GUILD_CREATE arrives."""
    return {"id": str(guild.id), "unavailable": True}


def my_guild_payload(world: World, guild: Guild) -> Payload:
    """A guild as ``GET /users/@me/guilds`` lists it: with the bot's own guild-wide permissions."""
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "banner": None,
        "owner": guild.owner_id == world.bot.id,
        "permissions": str(guild.permissions_of(world.bot)),
        "features": [],
    }


def guild_payload(guild: Guild) -> Payload:
    """The REST guild object (``GET /guilds/{guild_id}``)."""
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "description": None,
        "home_header": None,
        "splash": None,
        "discovery_splash": None,
        "features": [],
        "banner": None,
        "owner_id": str(guild.owner_id),
        "application_id": None,
        "region": "deprecated",
        "afk_channel_id": None,
        "afk_timeout": 300,
        "system_channel_id": str(guild.text_channels[0].id),
        "system_channel_flags": 0,
        "widget_enabled": False,
        "widget_channel_id": None,
        "verification_level": 1,
        "roles": [role_payload(role) for role in guild.roles],
        "default_message_notifications": 1,
        "mfa_level": 0,
        "explicit_content_filter": 2,
        "max_presences": None,
        "max_members": 500000,
        "max_stage_video_channel_users": 50,
        "max_video_channel_users": 25,
        "vanity_url_code": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "rules_channel_id": None,
        "safety_alerts_channel_id": None,
        "public_updates_channel_id": None,
        "premium_progress_bar_enabled": False,
        "nsfw": False,
        "nsfw_level": 0,
        "emojis": [],
        "stickers": [],
        "incidents_data": None,
    }


def guild_create_payload(world: World, guild: Guild) -> Payload:
    """A GUILD_CREATE guild: the REST guild object plus the gateway-only member and channel lists."""
    return guild_payload(guild) | {
        "joined_at": guild.member(world.bot).joined_at,
        "large": False,
        "unavailable": False,
        "lazy": True,
        "member_count": len(guild.members),
        "members": [member_payload(member) for member in guild.members],
        "channels": [channel_payload(channel, guild.id) for channel in guild.channels],
        "threads": [],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "embedded_activities": [],
    }


def ready_payload(
    world: World, guilds: Iterable[Guild], *, session_id: str, resume_gateway_url: str, shard: list[int] | None
) -> Payload:
    """The READY dispatch listing ``guilds`` (those of the shard); ``shard`` is echoed only when IDENTIFY
    asked for one, as Discord does."""
    payload: Payload = {
        "v": 10,
        "user_settings": {},
        "user": current_user_payload(world.bot),
        "guilds": [unavailable_guild_payload(guild) for guild in guilds],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_gateway_url,
        "application": {"id": str(world.application_id), "flags": world.application_flags},
        "private_channels": [],
        "presences": [],
        "relationships": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["rotterdam", "frankfurt"],
        "auth": {},
    }
    if shard is not None:
        payload["shard"] = shard
    return payload


def application_payload(world: World) -> Payload:
    """``GET /oauth2/applications/@me`` (and ``/applications/@me``) for the bot's application."""
    return {
        "id": str(world.application_id),
        "name": world.application_name,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot": user_payload(world.bot),
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "6f9d3e2b1c4a5f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8",
        "flags": world.application_flags,
        "flags_new": str(world.application_flags),
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "owner": user_payload(world.owner),
        "approximate_guild_count": 1,
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "explicit_content_filter": 0,
        "team": None,
        "eligible_oauth2_scopes": [],
        "integration_types_config": {"0": {}},
        "hook": True,
        "tags": [],
    }


def attachment_payload(attachment: Attachment, base_url: str, *, description: str | None = None) -> Payload:
    """An attachment whose URL points back at the stand-in, so ``Attachment.read()`` works offline."""
    url = base_url + attachment.path
    payload: Payload = {
        "id": str(attachment.id),
        "filename": attachment.filename,
        "size": len(attachment.data),
        "url": url,
        "proxy_url": url,
        "content_type": attachment.content_type,
    }
    if description is not None:
        payload["description"] = description
    return payload


def response_components(components: Iterable[Mapping[str, Any]]) -> list[Payload]:
    """Request components as Discord returns them: each gets a numeric ``id`` (depth-first from 1) if it had none."""
    counter = 0

    def convert(component: Mapping[str, Any]) -> Payload:
        nonlocal counter
        counter += 1
        converted = dict(component)
        converted.setdefault("id", counter)
        if "components" in converted:
            converted["components"] = [convert(child) for child in converted["components"]]
        return converted

    return [convert(component) for component in components]


def iter_components(components: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    """Every component of a message, nested ones included (action rows hold buttons and selects)."""
    for component in components:
        yield component
        yield from iter_components(component.get("components", ()))


def message_payload(
    *,
    message_id: int,
    channel_id: int,
    author: User,
    content: str = "",
    message_type: int = MESSAGE_DEFAULT,
    embeds: Iterable[Mapping[str, Any]] = (),
    components: Iterable[Mapping[str, Any]] = (),
    attachments: Iterable[Payload] = (),
    flags: int = 0,
    mentions: Iterable[Payload] = (),
    mention_roles: Iterable[str] = (),
) -> Payload:
    """A message object as REST returns it (gateway events add ``guild_id`` and ``member``)."""
    return {
        "type": message_type,
        "content": content,
        "mentions": list(mentions),
        "mention_roles": list(mention_roles),
        "attachments": list(attachments),
        "embeds": [{"type": "rich"} | dict(embed) for embed in embeds],
        "timestamp": snowflake_timestamp(message_id),
        "edited_timestamp": None,
        "flags": flags,
        "components": response_components(components),
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": user_payload(author),
        "pinned": False,
        "mention_everyone": False,
        "tts": False,
    }


def content_mentions(world: World, guild: Guild, content: str) -> tuple[list[Payload], list[str]]:
    """The ``mentions`` (users with their partial member) and ``mention_roles`` Discord derives from content
    posted in ``guild``."""
    users: list[Payload] = []
    for match in dict.fromkeys(_USER_MENTION.findall(content)):
        user = world.user(int(match))
        if user is not None and guild.has_member(user):
            member = member_payload(guild.member(user), with_user=False)
            users.append(user_payload(user) | {"member": member})
    role_ids = {str(role.id) for role in guild.roles}
    roles = [role_id for role_id in dict.fromkeys(_ROLE_MENTION.findall(content)) if role_id in role_ids]
    return users, roles


def interaction_payload(
    world: World,
    *,
    interaction_id: int,
    token: str,
    interaction_type: int,
    data: Payload,
    user: User,
    channel: Channel,
    locale: str = "en-US",
    message: Payload | None = None,
) -> Payload:
    """An INTERACTION_CREATE from a guild member, with every field discord.py 2.7 reads.

    ``member.permissions`` and ``app_permissions`` are computed from the roles of
    the channel's guild, so permission checks in the bot see what Discord would send.
    """
    guild = world.guild_of(channel) or world.guild
    payload: Payload = {
        "id": str(interaction_id),
        "application_id": str(world.application_id),
        "type": interaction_type,
        "data": data,
        "channel_id": str(channel.id),
        "token": token,
        "version": 1,
        "locale": locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if channel.is_dm:
        # In a DM with the bot: the user instead of a member, no guild; "0" names the DM as the install's owner.
        payload |= {
            "channel": dm_channel_payload(channel),
            "user": user_payload(user),
            "app_permissions": str(EVERYONE_DM_PERMISSIONS),
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,
        }
    else:
        payload |= {
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "guild_id": str(guild.id),
            "channel": channel_payload(channel, guild.id, permissions=guild.permissions_of(user)),
            "member": member_payload(guild.member(user), permissions=guild.permissions_of(user)),
            "app_permissions": str(guild.permissions_of(world.bot)),
            "guild_locale": "en-US",
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
        }
    if message is not None:
        payload["message"] = message
    return payload


def interaction_metadata(interaction: Payload, *, interacted_message_id: str | None = None) -> Payload:
    """The ``interaction_metadata`` Discord puts on messages created by an interaction response."""
    metadata: Payload = {
        "id": interaction["id"],
        "type": interaction["type"],
        "user": interaction_user(interaction),
        "authorizing_integration_owners": interaction["authorizing_integration_owners"],
    }
    if interacted_message_id is not None:
        metadata["interacted_message_id"] = interacted_message_id
    return metadata


def interaction_user(interaction: Payload) -> Payload:
    """The user behind an interaction: its member's user in a guild, ``user`` in a DM."""
    return interaction["member"]["user"] if "member" in interaction else interaction["user"]


def error_payload(code: int, message: str, errors: Payload | None = None) -> Payload:
    """Discord's JSON error body; discord.py turns it into ``HTTPException.code``/``.text``."""
    payload: Payload = {"message": message, "code": code}
    if errors is not None:
        payload["errors"] = errors
    return payload
