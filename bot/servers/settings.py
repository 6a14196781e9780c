"""Per-server settings: what a server's managers set with ``/corpus settings``, over the environment's defaults.

Each field is ``None`` until a server sets it, and then wins over the
environment value of the same name (``QUOTEBOT_INCLUDE_SHARED``,
``QUOTEBOT_MODERATOR_ROLE_ID`` …). A role or channel id names something in
one server only, so an environment default that names a channel is applied
only in the server that has that channel: another server's members are never
refused, nor its changes posted, because of a channel they cannot see.

To add a setting: a field here (``*_id`` for a role or channel, ``*_ids``
for channels, ``bool`` for a switch, ``*_days`` for a duration; it is shown
and reset by its option name, the field name without ``_id``/``_ids``
suffix, ``s`` for lists), its default in ``defaults_for``, and an option of
``/corpus settings``.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from quotebot.bot.settings import Settings


class ServerSettings(BaseModel):
    """One server's settings; ``None`` means "the default"."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    include_shared: bool | None = Field(
        default=None, description="answer from the shared documents as well as this server's own"
    )
    moderator_role_id: int | None = Field(default=None, description="a role that may use /corpus besides Manage Server")
    mod_log_channel_id: int | None = Field(default=None, description="the channel that hears about corpus changes")
    allowed_channel_ids: tuple[int, ...] | None = Field(
        default=None, description="the channels where I answer (and their threads)"
    )
    auto_answer_channel_ids: tuple[int, ...] | None = Field(
        default=None, description="forums and channels whose new threads I answer by myself, when sure"
    )
    question_retention_days: int | None = Field(
        default=None, ge=0, le=3650, description="days questions and 👍/👎 are kept for /corpus gaps (0: none)"
    )

    def over(self, defaults: ServerSettings) -> ServerSettings:
        """These settings with every unset one taken from ``defaults``."""
        return defaults.model_copy(update=self.model_dump(exclude_none=True))


def option_name(field: str) -> str:
    """The name a setting goes by in ``/corpus settings``: ``moderator_role``, ``allowed_channels``."""
    if field.endswith("_ids"):
        return field.removesuffix("_ids") + "s"
    return field.removesuffix("_id")


def field_of(option: str) -> str:
    """The field behind an option name (``option_name``'s inverse)."""
    return next(field for field in ServerSettings.model_fields if option_name(field) == option)


class Channels(Protocol):
    """What ``defaults_for`` asks of a server (a ``discord.Guild`` answers it): does it have this channel?"""

    def get_channel_or_thread(self, channel_id: int, /) -> object | None: ...


def defaults_for(settings: Settings, guild: Channels | None) -> ServerSettings:
    """The environment's values, as they apply in ``guild``: channels of other servers left out."""

    def here(channel_id: int | None) -> bool:
        return guild is not None and channel_id is not None and guild.get_channel_or_thread(channel_id) is not None

    return ServerSettings(
        include_shared=settings.include_shared,
        moderator_role_id=settings.moderator_role_id,
        mod_log_channel_id=settings.mod_log_channel_id if here(settings.mod_log_channel_id) else None,
        allowed_channel_ids=tuple(channel for channel in settings.allowed_channel_ids if here(channel)),
        auto_answer_channel_ids=tuple(channel for channel in settings.auto_answer_channel_ids if here(channel)),
        question_retention_days=settings.question_retention_days,
    )


def describe(own: ServerSettings, defaults: ServerSettings) -> list[str]:
    """One line per setting: its option name, its value in effect, and whether it is this server's or the default."""
    lines = []
    for field, info in ServerSettings.model_fields.items():
        value = getattr(own, field)
        origin = "set here" if value is not None else "default"
        shown = _shown(field, value if value is not None else getattr(defaults, field))
        lines.append(f"**{option_name(field)}**: {shown} ({origin}) — {info.description}")
    return lines


def _shown(field: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field.endswith("_days"):
        return f"{value} days"
    if field.endswith("_channel_ids"):
        # No channel means everywhere for where I answer, nowhere for where I answer unasked.
        empty = "every channel" if field == "allowed_channel_ids" else "none"
        return " ".join(f"<#{channel}>" for channel in value) if value else empty
    if value is None:
        return "none"
    return f"<@&{value}>" if field.endswith("_role_id") else f"<#{value}>"
