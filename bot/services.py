"""What the extensions share, built once per bot and handed to them as ``bot.services``.

The arrows point one way: extensions use these services, the services use
``retrieval/`` and ``servers/``, and nothing here calls back into the
``QuoteBot`` client or imports an extension. No Discord object is stored
here; the one thing the per-server policy needs from Discord, a server's
channels, is passed in as ``guild_of``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import discord

from quotebot.bot.answering import Answering
from quotebot.bot.feedback import FeedbackLog
from quotebot.bot.gate import Gate
from quotebot.bot.loop_lag import LoopLag
from quotebot.bot.policy import ServerPolicy
from quotebot.bot.servers.folders import ServerFolders
from quotebot.bot.servers.question_log import QuestionLog
from quotebot.bot.servers.settings_store import ServerSettingsStore
from quotebot.bot.servers.sharding import Shards
from quotebot.bot.servers.shared_corpus import SharedCorpus
from quotebot.bot.settings import Settings
from quotebot.bot.shutdown import Shutdown
from quotebot.bot.utils.checks import UserCooldown
from quotebot.retrieval import ChangeSignal, CorpusLibrary, CorpusLimits, LiveEngine


@dataclass(frozen=True)
class Services:
    """The bot's shared state and the services built on it."""

    settings: Settings
    shards: Shards
    folders: ServerFolders
    server_settings: ServerSettingsStore
    policy: ServerPolicy
    corpora: CorpusLibrary
    shared: SharedCorpus
    questions: QuestionLog
    feedback: FeedbackLog
    shutdown: Shutdown
    answering: Answering
    gate: Gate
    loop_lag: LoopLag

    @property
    def live(self) -> LiveEngine:
        """The shared corpus: DMs, and servers without documents of their own."""
        return self.corpora.shared

    @classmethod
    def build(cls, settings: Settings, live: LiveEngine, guild_of: Callable[[int], discord.Guild | None]) -> Services:
        """Everything for one bot serving ``live`` as its shared corpus (before ``live`` is loaded: the shared
        corpus's version is noted first, so a change announced meanwhile is never missed)."""
        shards = Shards(settings.shard_count, tuple(settings.shard_ids))
        folders = ServerFolders(settings.server_corpora)
        server_settings = ServerSettingsStore(folders)
        policy = ServerPolicy(settings, server_settings, shards, folders, guild_of)
        corpora = CorpusLibrary(
            live,
            policy.documents_folder,
            capacity=settings.max_loaded_corpora,
            embedder=live.embedder,
            limits=CorpusLimits(documents=settings.server_max_documents, passages=settings.server_max_passages),
        )
        questions = QuestionLog(folders)
        shutdown = Shutdown()
        return cls(
            settings=settings,
            shards=shards,
            folders=folders,
            server_settings=server_settings,
            policy=policy,
            corpora=corpora,
            shared=SharedCorpus(live, ChangeSignal(folders.shared_signal)),
            questions=questions,
            feedback=FeedbackLog(settings.feedback_log),
            shutdown=shutdown,
            answering=Answering(settings, corpora, policy, questions, shutdown),
            gate=Gate(policy, shutdown, UserCooldown(settings.ask_cooldown_rate, settings.ask_cooldown_seconds)),
            loop_lag=LoopLag(),
        )
