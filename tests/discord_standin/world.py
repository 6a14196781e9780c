"""The Discord "world" the stand-in serves: one application with its bot user,
its guilds (one by default, more with :meth:`World.with_guilds`) with roles,
channels (text, a forum) and members, a direct-message channel between the
bot and each member, and the threads members open while a test runs.

Tests name these objects (``standin.world.alice``, ``standin.world.general``)
instead of hard-coding snowflakes, so the payloads the stand-in sends and the
assertions a test makes cannot drift apart. The defaults are fixed numbers so
failures are reproducible; build a custom :class:`World` for other setups.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from .flags import ALL_PERMISSIONS, EVERYONE_PERMISSIONS, ApplicationFlag, Permission

#: Milliseconds between the Unix epoch and Discord's (2015-01-01T00:00:00Z).
DISCORD_EPOCH_MS = 1_420_070_400_000

GUILD_TEXT = 0
DM = 1
GUILD_CATEGORY = 4
PUBLIC_THREAD = 11
GUILD_FORUM = 15
#: Channel types whose channels hold threads, and those that are threads.
THREAD_PARENTS = (GUILD_TEXT, GUILD_FORUM)
THREADS = (PUBLIC_THREAD,)
#: Where the ids of direct-message channels start: the DM channel with a user is this plus the user's index.
DM_CHANNEL_BASE = 1_317_000_000_000_000_400


@dataclass(frozen=True)
class User:
    """A Discord user; ``bot`` marks the application's bot user."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    @property
    def mention(self) -> str:
        """The text that mentions this user in message content."""
        return f"<@{self.id}>"


@dataclass(frozen=True)
class Role:
    """A guild role; the ``@everyone`` role has the guild's id. ``bot_id`` marks a bot's managed role."""

    id: int
    name: str
    permissions: int
    position: int
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        """The text that mentions this role in message content."""
        return f"<@&{self.id}>"


#: Permission overwrite targets, as Discord numbers them.
OVERWRITE_ROLE = 0
OVERWRITE_MEMBER = 1


@dataclass(frozen=True)
class Overwrite:
    """A channel's permission overwrite for a role (the ``@everyone`` role has the guild's id) or a member."""

    id: int
    type: int = OVERWRITE_ROLE
    allow: int = 0
    deny: int = 0


@dataclass(frozen=True)
class Channel:
    """A guild channel (text, forum or category, with its permission ``overwrites``), a thread
    (``type=PUBLIC_THREAD``: ``parent_id`` is its channel, ``owner_id`` who opened it; its parent's
    permissions apply), or a direct-message channel (``type=DM``) between the bot and ``recipient``."""

    id: int
    name: str
    type: int = GUILD_TEXT
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    recipient: User | None = None
    owner_id: int | None = None
    overwrites: tuple[Overwrite, ...] = ()

    @property
    def is_dm(self) -> bool:
        return self.type == DM

    @property
    def is_thread(self) -> bool:
        return self.type in THREADS

    @property
    def mention(self) -> str:
        """The text that mentions this channel in message content."""
        return f"<#{self.id}>"


@dataclass(frozen=True)
class Member:
    """A user's membership of the guild."""

    user: User
    role_ids: tuple[int, ...] = ()
    nick: str | None = None
    joined_at: str = "2024-11-05T17:21:09.000000+00:00"


@dataclass(frozen=True)
class Guild:
    """The one guild of the world; permissions are computed from roles like Discord does."""

    id: int
    name: str
    owner_id: int
    roles: tuple[Role, ...]
    channels: tuple[Channel, ...]
    members: tuple[Member, ...]

    def member(self, user: User) -> Member:
        """The membership of ``user``; a user outside the guild cannot act in it."""
        for member in self.members:
            if member.user.id == user.id:
                return member
        raise LookupError(f"{user.username} ({user.id}) is not a member of {self.name}")

    def channel(self, channel_id: int) -> Channel | None:
        """The channel with that id, or None (the REST handlers answer 404 then)."""
        return next((c for c in self.channels if c.id == channel_id), None)

    @property
    def text_channels(self) -> tuple[Channel, ...]:
        return tuple(channel for channel in self.channels if channel.type == GUILD_TEXT)

    def has_member(self, user: User) -> bool:
        return any(member.user.id == user.id for member in self.members)

    def permissions_of(self, user: User) -> int:
        """Guild-level permissions: owner and administrators get everything, others the OR of their roles."""
        if user.id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.member(user)
        granted = 0
        for role in self.roles:
            if role.id == self.id or role.id in member.role_ids:
                granted |= role.permissions
        return ALL_PERMISSIONS if granted & Permission.ADMINISTRATOR else granted

    def channel_permissions_of(self, user: User, channel: Channel) -> int:
        """Permissions in one of this guild's channels, as Discord computes them: the guild's, then the
        ``@everyone`` overwrite, the member's roles' overwrites together, the member's own, then the implicit
        ones (https://discord.com/developers/docs/topics/permissions#implicit-permissions)."""
        granted = self.permissions_of(user)
        if granted & Permission.ADMINISTRATOR:
            return ALL_PERMISSIONS
        role_ids = set(self.member(user).role_ids)
        layers = (
            [o for o in channel.overwrites if o.type == OVERWRITE_ROLE and o.id == self.id],
            [o for o in channel.overwrites if o.type == OVERWRITE_ROLE and o.id in role_ids],
            [o for o in channel.overwrites if o.type == OVERWRITE_MEMBER and o.id == user.id],
        )
        for layer in layers:
            deny = allow = 0
            for overwrite in layer:
                deny |= overwrite.deny
                allow |= overwrite.allow
            granted = (granted & ~deny) | allow
        # Discord's implicit permissions: nothing without seeing the channel, no embeds or files without sending.
        if not granted & Permission.VIEW_CHANNEL:
            return 0
        if not granted & Permission.SEND_MESSAGES:
            granted &= ~(Permission.EMBED_LINKS | Permission.ATTACH_FILES | Permission.MENTION_EVERYONE)
        return granted


@dataclass(frozen=True)
class Attachment:
    """A file a test registered so a user can attach it; the stand-in serves ``data`` at its URL."""

    id: int
    channel_id: int
    filename: str
    data: bytes
    content_type: str

    @property
    def path(self) -> str:
        """Where the stand-in serves the bytes, mirroring cdn.discordapp.com's layout."""
        return f"/attachments/{self.channel_id}/{self.id}/{self.filename}"


@dataclass(frozen=True)
class World:
    """Everything fixed about the Discord the bot talks to."""

    application_id: int
    application_name: str
    application_flags: int
    bot: User
    guild: Guild
    owner: User
    alice: User
    morgan: User
    general: Channel
    quotes: Channel
    #: Guilds besides ``guild`` (the default one, where tests act unless they name another channel).
    other_guilds: tuple[Guild, ...] = ()
    #: The shard count ``GET /gateway/bot`` recommends.
    recommended_shards: int = 1
    #: Threads opened while the stand-in runs (``DiscordStandin.open_thread``), by id: the one part that changes.
    threads: dict[int, Channel] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def guilds(self) -> tuple[Guild, ...]:
        return (self.guild, *self.other_guilds)

    def with_guilds(self, *guilds: Guild, recommended_shards: int | None = None) -> World:
        """This world with more guilds the bot is in (see :func:`second_guild`)."""
        return replace(
            self,
            other_guilds=self.other_guilds + guilds,
            recommended_shards=recommended_shards or self.recommended_shards,
        )

    def guild_of(self, channel: Channel) -> Guild | None:
        """The guild a channel (or thread) belongs to (``None`` for a DM channel)."""
        own_channel = self.threads[channel.id].parent_id if channel.id in self.threads else channel.id
        return next((guild for guild in self.guilds if guild.channel(own_channel) is not None), None)

    @property
    def help_forum(self) -> Channel:
        """The default guild's forum channel, #help-forum."""
        return next(channel for channel in self.guild.channels if channel.type == GUILD_FORUM)

    def guild_by_id(self, guild_id: int) -> Guild | None:
        return next((guild for guild in self.guilds if guild.id == guild_id), None)

    def user_named(self, username: str) -> User:
        """A member of any guild, by user name (``world.user_named("beth")``)."""
        return next(member.user for guild in self.guilds for member in guild.members if member.user.username == username)

    @classmethod
    def default(cls) -> World:
        """A guild owned by olivia, with alice (no role), morgan (Moderator: Manage Server)
        and the bot (its managed role), two text channels #general and #quotes, and a forum #help-forum.

        The application id equals the bot user id, as for every application created since 2019.
        """
        app_id = 1_317_000_000_000_000_001
        guild_id = 1_317_000_000_000_000_100
        bot = User(app_id, "quotebot", None, bot=True)
        owner = User(1_317_000_000_000_000_300, "olivia", "Olivia")
        alice = User(1_317_000_000_000_000_301, "alice", "Alice")
        morgan = User(1_317_000_000_000_000_302, "morgan", "Morgan")
        everyone = Role(guild_id, "@everyone", EVERYONE_PERMISSIONS, 0)
        moderator = Role(
            1_317_000_000_000_000_101, "Moderator", Permission.MANAGE_GUILD | Permission.MANAGE_MESSAGES, 2
        )
        bot_role = Role(
            1_317_000_000_000_000_102,
            "quotebot",
            Permission.VIEW_CHANNEL
            | Permission.SEND_MESSAGES
            | Permission.EMBED_LINKS
            | Permission.ATTACH_FILES
            | Permission.READ_MESSAGE_HISTORY
            | Permission.USE_APPLICATION_COMMANDS
            | Permission.SEND_MESSAGES_IN_THREADS,
            1,
            bot_id=app_id,
        )
        category = Channel(1_317_000_000_000_000_200, "Text Channels", GUILD_CATEGORY)
        general = Channel(1_317_000_000_000_000_201, "general", position=0, parent_id=category.id)
        quotes = Channel(1_317_000_000_000_000_202, "quotes", position=1, parent_id=category.id, topic="Ask quotebot")
        forum = Channel(
            1_317_000_000_000_000_203, "help-forum", GUILD_FORUM, position=2, parent_id=category.id, topic="Ask here"
        )
        guild = Guild(
            id=guild_id,
            name="Quote Lab",
            owner_id=owner.id,
            roles=(everyone, moderator, bot_role),
            channels=(category, general, quotes, forum),
            members=(
                Member(owner),
                Member(alice),
                Member(morgan, (moderator.id,)),
                Member(bot, (bot_role.id,), joined_at="2024-11-06T09:00:00.000000+00:00"),
            ),
        )
        return cls(
            application_id=app_id,
            application_name="quotebot",
            application_flags=ApplicationFlag.GATEWAY_MESSAGE_CONTENT_LIMITED
            | ApplicationFlag.GATEWAY_GUILD_MEMBERS_LIMITED
            | ApplicationFlag.APPLICATION_COMMAND_BADGE,
            bot=bot,
            guild=guild,
            owner=owner,
            alice=alice,
            morgan=morgan,
            general=general,
            quotes=quotes,
        )

    def user(self, user_id: int) -> User | None:
        """The user with that id among the members of any guild, or None."""
        return next((m.user for guild in self.guilds for m in guild.members if m.user.id == user_id), None)

    @property
    def dm_channels(self) -> tuple[Channel, ...]:
        """The direct-message channel between the bot and each other member of its guilds."""
        users = {m.user.id: m.user for guild in self.guilds for m in guild.members if m.user != self.bot}
        return tuple(
            Channel(DM_CHANNEL_BASE + index, "", DM, recipient=user)
            for index, user in enumerate(users.values(), start=1)
        )

    def dm(self, user: User) -> Channel:
        """The direct-message channel between the bot and ``user``."""
        return next(channel for channel in self.dm_channels if channel.recipient == user)

    def channel(self, channel_id: int) -> Channel | None:
        """A channel of any guild, a thread, or a direct-message channel, by id; or None."""
        found = (guild.channel(channel_id) for guild in self.guilds)
        return (
            next((c for c in found if c is not None), None)
            or self.threads.get(channel_id)
            or next((c for c in self.dm_channels if c.id == channel_id), None)
        )


#: Guild ids of :func:`second_guild`: one shard above the default guild, so with two shards each has its own.
SECOND_GUILD_ID = 1_317_000_000_000_000_100 + (1 << 22)


def second_guild(world: World) -> Guild:
    """A second guild, "Second Lab", on the other shard of two from ``world.guild``: owned by bruno, with
    beth (its Moderator role: Manage Server), alice (also in the first guild) and the bot; #lobby and #help."""
    base = SECOND_GUILD_ID
    bruno = User(base + 300, "bruno", "Bruno")
    beth = User(base + 302, "beth", "Beth")
    everyone = Role(base, "@everyone", EVERYONE_PERMISSIONS, 0)
    moderator = Role(base + 1, "Moderator", Permission.MANAGE_GUILD | Permission.MANAGE_MESSAGES, 2)
    bot_role = next(role for role in world.guild.roles if role.bot_id == world.bot.id)
    bot_role = replace(bot_role, id=base + 2)
    category = Channel(base + 200, "Text Channels", GUILD_CATEGORY)
    return Guild(
        id=base,
        name="Second Lab",
        owner_id=bruno.id,
        roles=(everyone, moderator, bot_role),
        channels=(
            category,
            Channel(base + 201, "lobby", position=0, parent_id=category.id),
            Channel(base + 202, "help", position=1, parent_id=category.id),
        ),
        members=(
            Member(bruno),
            Member(world.alice),
            Member(beth, (moderator.id,)),
            Member(world.bot, (bot_role.id,), joined_at="2024-11-07T09:00:00.000000+00:00"),
        ),
    )


@dataclass
class Snowflakes:
    """Issues fresh snowflakes for messages, interactions, commands and attachments.

    They encode the current time (discord.py derives ``created_at`` from them) and
    strictly increase, so later objects sort after earlier ones as on Discord.
    """

    _last: int = 0

    def next(self) -> int:
        """A new snowflake, greater than every one issued before."""
        now = (time.time_ns() // 1_000_000 - DISCORD_EPOCH_MS) << 22
        self._last = max(now, self._last + 1)
        return self._last


def snowflake_timestamp(snowflake: int) -> str:
    """The ISO 8601 time a snowflake encodes, in the format Discord uses for ``timestamp``."""
    ms = (snowflake >> 22) + DISCORD_EPOCH_MS
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}000+00:00"
