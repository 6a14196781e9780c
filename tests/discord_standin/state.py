"""The state the REST API, the gateway and the test-side driver share."""

from __future__ import annotations

from dataclasses import dataclass, field

from .capture import Recorder
from .commands import CommandRegistry
from .messages import MessageStore
from .payloads import Payload
from .world import Snowflakes, World


@dataclass
class InteractionState:
    """An interaction the test sent, and what the bot has done with it so far.

    Discord accepts exactly one callback per interaction, and its webhook
    (follow-ups, ``@original``) only after that callback; the REST handlers
    enforce both with this record.
    """

    id: int
    token: str
    payload: Payload
    acknowledged: bool = False
    original_message_id: int | None = None
    message_ids: set[int] = field(default_factory=set)


@dataclass
class StandinState:
    """Everything the stand-in knows; one per :class:`~.server.DiscordStandin`."""

    world: World
    token: str
    recorder: Recorder = field(default_factory=Recorder)
    snowflakes: Snowflakes = field(default_factory=Snowflakes)
    interactions: dict[str, InteractionState] = field(default_factory=dict)
    commands: CommandRegistry = field(init=False)
    store: MessageStore = field(init=False)

    def __post_init__(self) -> None:
        self.commands = CommandRegistry(self.world, self.snowflakes)
        self.store = MessageStore(self.world, self.snowflakes)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` once the server listens (attachment URLs are built from it)."""
        return self.store.base_url

    @property
    def gateway_url(self) -> str:
        """``ws://127.0.0.1:PORT/``: what ``GET /gateway`` and READY's ``resume_gateway_url`` announce."""
        return "ws" + self.base_url.removeprefix("http") + "/"
