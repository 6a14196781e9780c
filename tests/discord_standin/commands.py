"""Application commands as Discord stores them, and the interaction data it sends when one is used.

Building interaction data from what the bot actually registered (the command
sync PUT) keeps tests honest: an option the bot never declared, a wrong value
type, or a member lacking ``default_member_permissions`` is refused here, as
Discord's client would refuse it, instead of reaching the bot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

from .flags import Permission, has_permissions
from .payloads import Payload, attachment_payload, channel_payload, member_payload, role_payload, user_payload
from .world import Attachment, Channel, Guild, Role, Snowflakes, User, World

OptionValue: TypeAlias = str | int | float | bool | User | Role | Channel | Attachment

SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
CHAT_INPUT = 1
#: The interaction context of a DM with the bot.
BOT_DM = 1

#: Option type -> the Python values a test may pass for it (see ApplicationCommandOptionType).
_VALUE_TYPES: dict[int, tuple[type, ...]] = {
    3: (str,),
    4: (int,),
    5: (bool,),
    6: (User,),
    7: (Channel,),
    8: (Role,),
    9: (User, Role),
    10: (int, float),
    11: (Attachment,),
}


class InteractionRejected(ValueError):
    """Discord would not deliver this interaction (unknown option, bad value, missing permission …)."""


class CommandRegistry:
    """The global and per-guild command lists, keyed by scope (``None`` = global)."""

    def __init__(self, world: World, snowflakes: Snowflakes) -> None:
        self._world = world
        self._snowflakes = snowflakes
        self._scopes: dict[int | None, list[Payload]] = {}

    def in_scope(self, guild_id: int | None) -> list[Payload]:
        """The commands of one scope, as ``GET …/commands`` returns them."""
        return list(self._scopes.get(guild_id, []))

    def overwrite(self, guild_id: int | None, commands: Iterable[Mapping[str, Any]]) -> list[Payload]:
        """Replace a scope's commands (bulk overwrite); a command keeps its id across syncs, as on Discord."""
        previous = {(c["name"], c["type"]): c["id"] for c in self._scopes.get(guild_id, [])}
        stored = [self._stored(command, guild_id, previous) for command in commands]
        self._scopes[guild_id] = stored
        return stored

    def _stored(
        self, command: Mapping[str, Any], guild_id: int | None, previous: Mapping[tuple[str, int], str]
    ) -> Payload:
        command_type = command.get("type") or CHAT_INPUT
        permissions = command.get("default_member_permissions")
        stored: Payload = {
            "id": previous.get((command["name"], command_type)) or str(self._snowflakes.next()),
            "application_id": str(self._world.application_id),
            "version": str(self._snowflakes.next()),
            "default_member_permissions": None if permissions is None else str(permissions),
            "type": command_type,
            "name": command["name"],
            "description": command.get("description") or "",
            "contexts": command.get("contexts"),
            "integration_types": command.get("integration_types") or [0],
            "nsfw": bool(command.get("nsfw")),
        }
        if guild_id is None:
            stored["dm_permission"] = command.get("dm_permission") is not False
        else:
            stored["guild_id"] = str(guild_id)
        if command.get("options"):
            stored["options"] = [_without_nulls(option) for option in command["options"]]
        return stored

    def find(self, name: str, guild_id: int | None) -> Payload | None:
        """The slash command a member of ``guild_id`` sees under ``name``: guild commands shadow global ones.

        In a DM with the bot (``guild_id`` None) only global commands exist, and only those whose
        ``contexts`` include BOT_DM (1); ``None`` contexts means every context, as Discord defaults.
        """
        if guild_id is None:
            return next(
                (
                    command
                    for command in self._scopes.get(None, [])
                    if command["name"] == name
                    and command["type"] == CHAT_INPUT
                    and (command.get("contexts") is None or BOT_DM in command["contexts"])
                ),
                None,
            )
        for scope in (guild_id, None):
            for command in self._scopes.get(scope, []):
                if command["name"] == name and command["type"] == CHAT_INPUT:
                    return command
        return None

    def interaction_data(
        self,
        command: str,
        options: Mapping[str, OptionValue],
        *,
        user: User,
        base_url: str,
        guild: Guild | None = None,
        focused: str | None = None,
    ) -> Payload:
        """The ``data`` of an APPLICATION_COMMAND interaction for ``/command`` (e.g. ``"corpus reload"``)
        used in ``guild`` (``None``: in a DM).

        Uses the registered definition when the bot synced one; otherwise option
        types are inferred from the Python values (Discord only delivers
        registered commands, so prefer syncing in tests). In a DM only a global
        command usable in DMs is delivered. With ``focused`` (an option with
        autocomplete), the data of an autocomplete interaction: the options
        typed so far, that one marked ``focused`` and sent as the text typed.
        """
        in_dm = guild is None
        names = command.split()
        if not names or len(names) > 3:
            raise InteractionRejected(f"{command!r} is not a slash command path (1 to 3 names)")
        registered = self.find(names[0], None if guild is None else guild.id)
        if registered is None and in_dm:
            raise InteractionRejected(f"/{names[0]} is not a global command usable in DMs")
        if registered is None:
            path_types = [SUB_COMMAND_GROUP, SUB_COMMAND][-(len(names) - 1) :] if len(names) > 1 else []
            leaf = [_option(name, _infer_type(name, value), value) for name, value in options.items()]
            data: Payload = {"id": str(self._snowflakes.next()), "name": names[0], "type": CHAT_INPUT}
        else:
            if guild is not None:
                self._check_permissions(registered, user, guild)
            path_types, definitions = _walk_subcommands(registered, names)
            leaf = _checked_options(command, definitions, options, focused)
            data = {"id": registered["id"], "name": names[0], "type": CHAT_INPUT}
            if "guild_id" in registered:
                data["guild_id"] = registered["guild_id"]
        resolved = _resolved(self._world, guild or self._world.guild, options.values(), base_url)
        for name, option_type in reversed(list(zip(names[1:], path_types, strict=True))):
            leaf = [{"type": option_type, "name": name, "options": leaf}]
        if leaf:
            data["options"] = leaf
        if resolved:
            data["resolved"] = resolved
        return data

    def _check_permissions(self, registered: Mapping[str, Any], user: User, guild: Guild) -> None:
        required = registered["default_member_permissions"]
        if required is None:
            return
        granted = guild.permissions_of(user)
        # "0" hides the command from everyone but administrators.
        allowed = (
            bool(granted & Permission.ADMINISTRATOR) if int(required) == 0 else has_permissions(granted, int(required))
        )
        if not allowed:
            raise InteractionRejected(
                f"{user.username} lacks default_member_permissions={required} of /{registered['name']}; "
                "Discord hides the command from them"
            )


def _without_nulls(option: Mapping[str, Any]) -> Payload:
    """An option definition as Discord echoes it: unset (null) fields dropped, nested options too."""
    stored = {key: value for key, value in option.items() if value is not None}
    if "options" in stored:
        stored["options"] = [_without_nulls(child) for child in stored["options"]]
    return stored


def _walk_subcommands(registered: Mapping[str, Any], names: list[str]) -> tuple[list[int], list[Mapping[str, Any]]]:
    """Follow ``names[1:]`` through the registered subcommand tree; return their types and the leaf's options."""
    definitions: list[Mapping[str, Any]] = registered.get("options", [])
    path_types: list[int] = []
    for name in names[1:]:
        found = next(
            (d for d in definitions if d["name"] == name and d["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)), None
        )
        if found is None:
            raise InteractionRejected(f"/{' '.join(names)}: the bot registered no subcommand {name!r} there")
        path_types.append(found["type"])
        definitions = found.get("options", [])
    if any(d["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for d in definitions):
        choices = ", ".join(d["name"] for d in definitions)
        raise InteractionRejected(f"/{' '.join(names)} needs a subcommand ({choices})")
    return path_types, definitions


def _checked_options(
    command: str, definitions: list[Mapping[str, Any]], options: Mapping[str, OptionValue], focused: str | None
) -> list[Payload]:
    """Options typed by their registered definitions, refusing what Discord's client would not send."""
    by_name = {d["name"]: d for d in definitions}
    unknown = set(options) - set(by_name)
    if unknown:
        raise InteractionRejected(f"/{command} has no option(s) {sorted(unknown)}; registered: {sorted(by_name)}")
    missing = [d["name"] for d in definitions if d.get("required") and d["name"] not in options]
    if missing and focused is None:  # while typing, required options may still be empty
        raise InteractionRejected(f"/{command} requires option(s) {missing}")
    if focused is not None and not by_name.get(focused, {}).get("autocomplete"):
        raise InteractionRejected(f"/{command} option {focused!r} has no autocomplete")
    built = []
    for name, value in options.items():
        definition = by_name[name]
        option_type = definition["type"]
        if name == focused:  # the text typed so far, whatever the option's type
            built.append({"name": name, "type": option_type, "value": str(value), "focused": True})
            continue
        if not _fits(option_type, value):
            raise InteractionRejected(f"/{command} option {name!r} (type {option_type}) cannot take {value!r}")
        choices = [choice["value"] for choice in definition.get("choices", [])]
        if choices and value not in choices:
            raise InteractionRejected(f"/{command} option {name!r} must be one of {choices}, not {value!r}")
        built.append(_option(name, option_type, value))
    return built


def _fits(option_type: int, value: OptionValue) -> bool:
    accepted = _VALUE_TYPES.get(option_type, ())
    if isinstance(value, bool) and bool not in accepted:
        return False
    return isinstance(value, accepted)


def _infer_type(name: str, value: OptionValue) -> int:
    for option_type in (5, 4, 10, 3, 6, 7, 8, 11):
        if _fits(option_type, value):
            return option_type
    raise InteractionRejected(f"option {name!r}: cannot send {value!r} in an interaction")


def _option(name: str, option_type: int, value: OptionValue) -> Payload:
    """One option as it appears in ``data.options``; objects travel as their id, resolved separately."""
    wire = str(value.id) if isinstance(value, (User, Role, Channel, Attachment)) else value
    return {"name": name, "type": option_type, "value": wire}


def _resolved(world: World, guild: Guild, values: Iterable[OptionValue], base_url: str) -> Payload:
    """``data.resolved``: the full objects behind user, role, channel and attachment options used in ``guild``."""
    resolved: dict[str, Payload] = {}
    for value in values:
        if isinstance(value, User):
            resolved.setdefault("users", {})[str(value.id)] = user_payload(value)
            member = member_payload(guild.member(value), with_user=False, permissions=guild.permissions_of(value))
            resolved.setdefault("members", {})[str(value.id)] = member
        elif isinstance(value, Role):
            resolved.setdefault("roles", {})[str(value.id)] = role_payload(value)
        elif isinstance(value, Channel):
            channel = channel_payload(value, guild.id, permissions=guild.permissions_of(world.bot))
            resolved.setdefault("channels", {})[str(value.id)] = channel
        elif isinstance(value, Attachment):
            resolved.setdefault("attachments", {})[str(value.id)] = attachment_payload(value, base_url)
    return resolved
