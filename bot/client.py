"""The ``QuoteBot`` client: what it asks Discord for, and what it listens to.

It requests no privileged intents. Messages that mention the bot, and direct
messages, carry their content without the message-content intent, and those
are the only messages quotebot answers.
"""

from __future__ import annotations

import gc
import logging
import re
import time
from dataclasses import dataclass, field

import discord
from discord.ext import commands

from quotebot import __version__
from quotebot.bot.delivery import NO_MENTIONS, trace_config
from quotebot.bot.settings import Settings
from quotebot.bot.shutdown import Shutdown
from quotebot.retrieval import Answer, LiveEngine, Outcome

log = logging.getLogger(__name__)

EXTENSIONS = ("quotebot.bot.exts.error_handler", "quotebot.bot.exts.ask", "quotebot.bot.exts.corpus_admin")


def quotebot_intents() -> discord.Intents:
    """Guilds (channels, roles for the moderator check) and messages; nothing privileged."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    return intents


def freeze_long_lived_objects() -> None:
    """Take everything alive now, above all the corpus index just (re)loaded, out of the collector's sight.

    An index is some hundred thousand long-lived objects. Left in the oldest
    generation, each full garbage collection rescans them all with the GIL held:
    a pause of 100-300 ms measured on a 3,000-passage corpus, which stalls the
    event loop whichever thread triggers it. Frozen objects are still freed by
    reference counting when a reload replaces them; only reference cycles among
    them would outlive it: index snapshots hold none, but whatever other cyclic
    garbage (expired views, finished tasks) exists at the moment of a reload is
    kept too. That costs kilobytes per reload, against a loop stall per full
    collection; a bot reloaded thousands of times without a restart would notice.
    """
    gc.freeze()


@dataclass
class QuestionStats:
    """Questions answered (confidently or not) and declined since start, for ``/corpus stats``."""

    answered: int = 0
    unsure: int = 0
    declined: int = 0
    started: float = field(default_factory=time.time)

    def count(self, answer: Answer) -> None:
        if answer.outcome is Outcome.UNSURE:
            self.unsure += 1
        elif answer.answered:
            self.answered += 1
        else:
            self.declined += 1


class QuoteBot(commands.Bot):
    """The Discord bot: slash commands from ``bot.exts`` plus questions by mention or DM."""

    def __init__(self, settings: Settings, live: LiveEngine, *, sync_dev_guild: bool = True, **options) -> None:
        # quotebot never joins voice: discord.py's warnings about missing voice libraries are noise to its operators.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(
            # No prefix commands exist; ``on_message`` below never processes them.
            command_prefix=commands.when_mentioned,
            intents=quotebot_intents(),
            allowed_mentions=NO_MENTIONS,
            help_command=None,
            # Lets ``bot.delivery`` make single HTTP attempts and own the retries of every send.
            http_trace=trace_config(),
            **options,
        )
        self.settings = settings
        self.live = live
        self.stats = QuestionStats()
        self.shutdown = Shutdown()
        self._sync_dev_guild = sync_dev_guild
        self._announced = False

    async def setup_hook(self) -> None:
        """Load the extensions; sync only the development guild, never on every start globally."""
        freeze_long_lived_objects()
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        guild_id = self.settings.dev_guild_id
        if self._sync_dev_guild and guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("Synced %d commands to development guild %d", len(synced), guild_id)

    async def on_ready(self) -> None:
        # Deliberately no syncing here: on_ready fires again after every reconnect.
        if self._announced:
            log.info("Connected again as %s, in %d guilds", self.user, len(self.guilds))
            return
        self._announced = True
        log.info("%s", self.ready_line())

    def ready_line(self) -> str:
        """The one line that says what is running: version, account, corpus, semantic model, guilds."""
        engine = self.live.engine
        model = self.live.embedder.identity.split(":")[0] if self.live.embedder is not None else "off"
        return (
            f"quotebot {__version__} ready as {self.user} ({getattr(self.user, 'id', '?')}): "
            f"corpus {self.live.folder} with {len(engine.documents)} documents, {len(engine.passages)} passages, "
            f"semantic model {model}; in {len(self.guilds)} guilds"
        )

    async def on_message(self, message: discord.Message) -> None:
        """Hand questions to the ``ask`` extension; there are no prefix commands to process."""
        question = self.question_in(message)
        if question is not None:
            self.dispatch("question", message, question)

    def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or ``None`` when it isn't one for us.

        Bots (and the bot itself) are ignored, so two bots can never answer each
        other forever. In servers only an explicit ``@quotebot`` counts — a reply
        that merely pings the bot does not — and only in allowed channels.
        """
        me = self.user
        if me is None or message.author.bot:
            return None
        if message.guild is None:
            return " ".join(message.content.split())
        if me.id not in message.raw_mentions or not self.channel_allowed(message.channel):
            return None
        return " ".join(re.sub(rf"<@!?{me.id}>", " ", message.content).split())

    def channel_allowed(self, channel: object) -> bool:
        """True when answering in server channel ``channel`` (or in a thread of an allowed one) is allowed."""
        allowed = self.settings.allowed_channel_ids
        if not allowed:
            return True
        ids = {getattr(channel, "id", None), getattr(channel, "parent_id", None)}
        return not ids.isdisjoint(allowed)
