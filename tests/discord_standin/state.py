"""The state the REST API, the gateway and the test-side driver share."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .capture import Recorder
from .commands import CommandRegistry
from .faults import FaultPlan
from .messages import MessageStore
from .payloads import Payload
from .world import Guild, Snowflakes, World


@dataclass
class InteractionState:
    """An interaction the test sent, and what the bot has done with it so far.

    Discord accepts exactly one callback per interaction, within 3 seconds of
    sending it, and its webhook (follow-ups, ``@original``) only after that
    callback and for 15 minutes; the REST handlers enforce all of it with this
    record (``created`` is ``time.monotonic()`` when the stand-in dispatched it).
    """

    id: int
    token: str
    payload: Payload
    created: float = field(default_factory=time.monotonic)
    acknowledged: bool = False
    original_message_id: int | None = None
    message_ids: set[int] = field(default_factory=set)

    @property
    def age(self) -> float:
        """Seconds since the stand-in dispatched the interaction."""
        return time.monotonic() - self.created


@dataclass
class Timing:
    """Discord's deadlines for an interaction, in seconds; tests shorten them to reach them quickly."""

    #: How long after an interaction Discord still accepts its callback (later: 404 Unknown interaction).
    callback_window: float = 3.0
    #: How long an interaction token opens its webhook: follow-ups and ``@original`` (later: 401).
    token_lifetime: float = 15 * 60.0


@dataclass
class StandinState:
    """Everything the stand-in knows; one per :class:`~.server.DiscordStandin`."""

    world: World
    token: str
    timing: Timing = field(default_factory=Timing)
    faults: FaultPlan = field(default_factory=FaultPlan)
    recorder: Recorder = field(default_factory=Recorder)
    snowflakes: Snowflakes = field(default_factory=Snowflakes)
    interactions: dict[str, InteractionState] = field(default_factory=dict)
    commands: CommandRegistry = field(init=False)
    store: MessageStore = field(init=False)
    #: The guilds the bot is in now (all of the world's at first; ``remove_guild`` and ``add_guild`` change it).
    bot_guild_ids: set[int] = field(init=False)

    def __post_init__(self) -> None:
        self.commands = CommandRegistry(self.world, self.snowflakes)
        self.store = MessageStore(self.world, self.snowflakes)
        self.bot_guild_ids = {guild.id for guild in self.world.guilds}

    def bot_guilds(self) -> list[Guild]:
        """The world's guilds the bot is in, in the world's order."""
        return [guild for guild in self.world.guilds if guild.id in self.bot_guild_ids]

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` once the server listens (attachment URLs are built from it)."""
        return self.store.base_url

    @property
    def gateway_url(self) -> str:
        """``ws://127.0.0.1:PORT/``: what ``GET /gateway`` and READY's ``resume_gateway_url`` announce."""
        return "ws" + self.base_url.removeprefix("http") + "/"
