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
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import discord
from discord.ext import commands

from quotebot import __version__
from quotebot.bot.answering import Answering
from quotebot.bot.delivery import NO_MENTIONS, trace_config
from quotebot.bot.feedback import FeedbackLog
from quotebot.bot.servers.folders import ServerFolders, corpus_name
from quotebot.bot.servers.question_log import QuestionLog
from quotebot.bot.servers.settings import ServerSettings, defaults_for
from quotebot.bot.servers.settings_store import ServerSettingsStore
from quotebot.bot.servers.sharding import Shards
from quotebot.bot.servers.shared_corpus import SharedCorpus
from quotebot.bot.settings import Settings
from quotebot.bot.shutdown import Shutdown
from quotebot.bot.votes import VoteButton
from quotebot.retrieval import Answer, ChangeSignal, CorpusError, CorpusLibrary, LiveEngine, Outcome

log = logging.getLogger(__name__)

EXTENSIONS = (
    "quotebot.bot.exts.error_handler",
    "quotebot.bot.exts.ask",
    "quotebot.bot.exts.answer_from_message",
    "quotebot.bot.exts.auto_answer",
    "quotebot.bot.exts.corpus_admin",
    "quotebot.bot.exts.server_lifecycle",
    "quotebot.bot.exts.shared_corpus_sync",
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
    """Take everything alive now, above all a corpus index just (re)loaded, out of the collector's sight.

    An index is many long-lived objects. Left in the oldest generation, each
    full garbage collection rescans them all with the GIL held, which stalls
    the event loop whichever thread triggers it (100-300 ms was measured on a
    3,000-passage corpus before indexes became arrays). Frozen objects are
    still freed by reference counting when a reload or the LRU of server
    corpora drops them, but never by the collector, so the young cyclic
    garbage of the moment is collected first: every index-cache load leaves
    some (numpy parses each array's header with ``ast.literal_eval``, whose
    closures form cycles), and frozen, it leaked about 17 MB per 1,000 server
    corpora loaded (``bench.servers``). Collecting the two young generations
    is enough (that garbage lives for microseconds) and costs far less than
    a full collection, which in a busy bot also scans every live view and
    task: measured in the load test (``tests/bot/test_e2e_load.py``), a full
    one before each freeze raised the p99 acknowledgement from 20-25 ms to
    48-72 ms.
    """
    gc.collect(1)
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


class QuoteBot(commands.AutoShardedBot):
    """The Discord bot: slash commands from ``bot.exts`` plus questions by mention or DM.

    It serves the shards in its settings (all of them by default) and the
    corpora of exactly their servers: ``live`` is the shared corpus,
    ``corpora`` adds each server's own, loaded on its first question.
    """

    def __init__(self, settings: Settings, live: LiveEngine, *, sync_dev_guild: bool = True, **options) -> None:
        # quotebot never joins voice: discord.py's warnings about missing voice libraries are noise to its operators.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(
            # No prefix commands exist; ``on_message`` below never processes them.
            command_prefix=commands.when_mentioned,
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
        self.shards_served = Shards(settings.shard_count, tuple(settings.shard_ids))
        self.folders = ServerFolders(settings.server_corpora)
        self.server_settings = ServerSettingsStore(self.folders)
        self.corpora = CorpusLibrary(
            live,
            self._documents_folder,
            capacity=settings.max_loaded_corpora,
            embedder=live.embedder,
            on_load=freeze_long_lived_objects,
        )
        self.shared = SharedCorpus(live, ChangeSignal(self.folders.shared_signal))
        self.stats: dict[int | None, QuestionStats] = defaultdict(QuestionStats)
        self.questions = QuestionLog(self.folders)
        self.feedback = FeedbackLog(settings.feedback_log)
        self.answering = Answering(self)
        self.shutdown = Shutdown()
        self._sync_dev_guild = sync_dev_guild
        self._announced = False
        self._questions_closed = False

    @property
    def live(self) -> LiveEngine:
        """The shared corpus: DMs, and servers without documents of their own."""
        return self.corpora.shared

    async def setup_hook(self) -> None:
        """Learn the owners, load the extensions; sync only the development guild, never on every start globally."""
        freeze_long_lived_objects()
        self.owner_ids = self._owners()
        self.add_dynamic_items(VoteButton)
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
        await super().close()
        if not self._questions_closed:
            self._questions_closed = True
            await self.questions.close()

    async def on_ready(self) -> None:
        # Deliberately no syncing here: on_ready fires again after every reconnect.
        if self._announced:
            log.info("Connected again as %s, in %d guilds", self.user, len(self.guilds))
            return
        self._announced = True
        log.info("%s", self.ready_line())

    def ready_line(self) -> str:
        """The one line that says what is running: version, account, corpora, semantic model, shards, guilds."""
        engine = self.live.engine
        model = self.live.embedder.identity.split(":")[0] if self.live.embedder is not None else "off"
        auto_answer = "on" if self.reads_message_content else "off"
        return (
            f"quotebot {__version__} ready as {self.user} ({getattr(self.user, 'id', '?')}): "
            f"shared corpus {self.live.folder} with {len(engine.documents)} documents, {len(engine.passages)} passages, "
            f"semantic model {model}; server corpora in {self.folders.root} "
            f"(at most {self.corpora.capacity} in memory); auto-answer {auto_answer}; {self.shards_served.describe()}; "
            f"in {len(self.guilds)} guilds"
        )

    def _documents_folder(self, name: str) -> Path:
        """The folder of a server's corpus; only servers on this process's shards are ever loaded or written here."""
        guild_id = int(name)
        if not self.shards_served.owns(guild_id):
            raise CorpusError(f"server {guild_id} is served by another process ({self.shards_served.describe()} here)")
        return self.folders.documents(guild_id)

    def server_settings_of(self, guild_id: int) -> ServerSettings:
        """The settings in effect in a server: its own, over the environment's defaults as they apply there."""
        return self.server_settings.get(guild_id).over(defaults_for(self.settings, self.get_guild(guild_id)))

    async def ask(self, guild_id: int | None, question: str) -> Answer:
        """Answer from the server's corpus (and the shared one, as its settings say), or the shared one in DMs.

        Blocking retrieval runs in a worker thread; the caller limits how many run at once.
        """
        if guild_id is None:
            return await asyncio.to_thread(self.corpora.ask, None, question, self.settings.top_k)
        include_shared = bool(self.server_settings_of(guild_id).include_shared)
        return await asyncio.to_thread(
            self.corpora.ask, corpus_name(guild_id), question, self.settings.top_k, include_shared=include_shared
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
        if me.id not in message.raw_mentions or not self.channel_allowed(message.channel, message.guild.id):
            return None
        return " ".join(re.sub(rf"<@!?{me.id}>", " ", message.content).split())

    def channel_allowed(self, channel: object, guild_id: int) -> bool:
        """True when answering in ``channel`` (or in a thread of an allowed one) of server ``guild_id`` is allowed."""
        allowed = self.server_settings_of(guild_id).allowed_channel_ids
        if not allowed:
            return True
        ids = {getattr(channel, "id", None), getattr(channel, "parent_id", None)}
        return not ids.isdisjoint(allowed)
