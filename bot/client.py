"""The ``QuoteBot`` client: what it asks Discord for, and what it listens to.

By default it requests no privileged intent: messages that mention the bot,
direct messages, and the message a member picks **Answer with quotebot** on
carry their content without the Message Content intent. Only
``QUOTEBOT_AUTO_ANSWER=on`` (answering new help threads unasked) needs it,
and only then is it requested. Intents are fixed when the bot connects, so
the process decides, and each server's ``auto_answer_channels`` then says
where. An application the Developer Portal does not allow to read message
content is warned about once at start-up and connects without the intent.
"""

from __future__ import annotations

import asyncio
import gc
import logging

import discord
from discord.ext import commands

from quotebot import __version__
from quotebot.bot import background
from quotebot.bot.delivery import NO_MENTIONS, trace_config
from quotebot.bot.gate import GatedTree
from quotebot.bot.services import Services
from quotebot.bot.settings import Settings
from quotebot.retrieval import LiveEngine

log = logging.getLogger(__name__)

#: Each is a feature package (or module) with its own ``setup``; none imports another.
EXTENSIONS = (
    "quotebot.bot.exts.errors",
    "quotebot.bot.exts.questions",
    "quotebot.bot.exts.corpus",
    "quotebot.bot.exts.lifecycle",
)


CONTENT_INTENT_REFUSED = (
    "QUOTEBOT_AUTO_ANSWER is on, but Discord does not let this application read message content: new help "
    "threads will not be answered automatically (everything else works). To allow it, turn on Message Content "
    "Intent under Privileged Gateway Intents on the Developer Portal's Bot page, then restart quotebot."
)


def quotebot_intents(settings: Settings) -> discord.Intents:
    """Guilds (channels, threads, roles for the moderator check) and messages; message content only for
    ``QUOTEBOT_AUTO_ANSWER``."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = settings.auto_answer
    return intents


def freeze_long_lived_objects() -> None:
    """Take everything alive once the bot is set up (its modules, the shared corpus) out of the collector's sight.

    A full garbage collection scans every tracked object with the GIL held, so
    it stalls the event loop whichever thread triggers it; nearly all of those
    objects are the imported modules' and live as long as the process. Frozen
    once at start, they are never scanned again. ``python -m bench.gc_pause``
    on two busy shared cores: 92,200 objects tracked once the bot's modules
    are imported, a full collection 47-70 ms, frozen 0.00 ms. A corpus index is
    no longer worth a freeze of its own since indexes became arrays: a
    20,000-passage one adds 2,267 tracked objects (loading it again from its
    cache, 459), so nothing is frozen after a corpus loads or reloads, which
    also no longer freezes each load's young cyclic garbage (that leaked about
    17 MB per 1,000 server corpora loaded). The two young generations are
    collected first so that short-lived garbage of the moment is freed, not frozen.
    """
    gc.collect(1)
    gc.freeze()


class QuoteBot(commands.AutoShardedBot):
    """The Discord bot: slash commands from ``bot.exts`` plus questions by mention or DM.

    It is the Discord wiring only; what the extensions share (answering, the
    corpora, per-server policy, admission) is ``services``. It serves the
    shards in its settings (all of them by default) and the corpora of
    exactly their servers: ``services.live`` is the shared corpus,
    ``services.corpora`` adds each server's own, loaded on its first question.
    """

    def __init__(
        self, settings: Settings, live: LiveEngine, *, sync_dev_guild: bool = True, **options
    ) -> None:
        # quotebot never joins voice: discord.py's warnings about missing voice libraries are noise to its operators.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(
            # No prefix commands exist; ``on_message`` below never processes them.
            command_prefix=commands.when_mentioned,
            tree_cls=GatedTree,
            intents=quotebot_intents(settings),
            allowed_mentions=NO_MENTIONS,
            help_command=None,
            # Lets ``bot.delivery`` make single HTTP attempts and own the retries of every send.
            http_trace=trace_config(),
            shard_count=settings.shard_count,
            shard_ids=list(settings.shard_ids) or None,
            **options,
        )
        self.settings = settings
        self.services = Services.build(settings, live, self.get_guild)
        self._sync_dev_guild = sync_dev_guild
        self._announced = False
        self._questions_closed = False
        self._lag_probe: asyncio.Task[None] | None = None

    async def setup_hook(self) -> None:
        """Learn the owners, load the extensions; sync only the development guild, never on every start globally."""
        freeze_long_lived_objects()
        self._lag_probe = background.create_task(self.services.loop_lag.run(), name="event loop lag probe")
        self.owner_ids = self._owners()
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        guild_id = self.settings.dev_guild_id
        if self._sync_dev_guild and guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("Synced %d commands to development guild %d", len(synced), guild_id)

    def _owners(self) -> set[int]:
        """``QUOTEBOT_OWNER_IDS`` plus the application's owner (or its team's admins and developers), read at login."""
        owners = set(self.settings.owner_ids)
        application = self.application
        if application is not None and application.team is not None:
            roles = (discord.TeamMemberRole.admin, discord.TeamMemberRole.developer)
            owners |= {member.id for member in application.team.members if member.role in roles}
        elif application is not None and application.owner is not None:
            owners.add(application.owner.id)
        return owners

    @property
    def reads_message_content(self) -> bool:
        """Whether Discord sends this bot the text of every message it sees (what auto-answering needs)."""
        return self.intents.message_content

    async def connect(self, *, reconnect: bool = True) -> None:
        """Connect without the Message Content intent when the application may not have it (a warning, not
        the gateway's close 4014); the application's flags are known once logged in."""
        flags = self.application_flags
        if self.reads_message_content and not (flags.gateway_message_content or flags.gateway_message_content_limited):
            log.warning("%s", CONTENT_INTENT_REFUSED)
            # discord.py offers no public way to change intents after construction; IDENTIFY reads this.
            self._connection._intents.message_content = False
        await super().connect(reconnect=reconnect)

    async def close(self) -> None:
        """Disconnect, then finish writing the question logs."""
        if self._lag_probe is not None:
            self._lag_probe.cancel()
        await super().close()
        if not self._questions_closed:
            self._questions_closed = True
            await self.services.questions.close()

    async def on_ready(self) -> None:
        # Deliberately no syncing here: on_ready fires again after every reconnect.
        if self._announced:
            log.info("Connected again as %s, in %d guilds", self.user, len(self.guilds))
            return
        self._announced = True
        log.info("%s", self.ready_line())

    def ready_line(self) -> str:
        """The one line that says what is running: version, account, corpora, semantic model, shards, guilds."""
        services = self.services
        live = services.live
        engine = live.engine
        model = live.embedder.identity.split(":")[0] if live.embedder is not None else "off"
        progress = live.embedding_progress
        if progress is not None and not progress.complete:
            model += f" ({progress.ready:,} of {progress.total:,} passages embedded so far, the rest in the background)"
        auto_answer = "on" if self.reads_message_content else "off"
        return (
            f"quotebot {__version__} ready as {self.user} ({getattr(self.user, 'id', '?')}): "
            f"shared corpus {live.folder} with {len(engine.documents)} documents, {len(engine.passages)} passages, "
            f"semantic model {model}; server corpora in {services.folders.root} "
            f"(at most {services.corpora.capacity} in memory); auto-answer {auto_answer}; {services.shards.describe()}; "
            f"in {len(self.guilds)} guilds"
        )

    async def on_message(self, message: discord.Message) -> None:
        """Hand the questions the gate lets through to the ``questions`` extension; there are no prefix commands."""
        question = await self.services.gate.question_in(message, self.user)
        if question is not None:
            self.dispatch("question", message, question)
