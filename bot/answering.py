"""Every question, however it reaches quotebot, is answered here: ``/ask``, a mention or DM, **Answer with
quotebot** on a message, or a new help thread.

Retrieval is CPU work, so it runs in worker threads: one per core and one
more, since it is mostly pure Python (more threads only queue for the GIL and
starve the event loop of it: on two cores, six concurrent questions stalled
the loop for 100 ms), but embedding the question runs in onnxruntime without
the GIL. One corpus may use all of them but one, so questions for another
server never queue behind a burst or a first load of this one's.

Every question has a deadline (``answer_deadline_seconds``): one still waiting
for its turn then gets "busy, ask again in a moment" (``Busy``) instead of
silence. With the semantic model a question never waits for passages to be
embedded (``retrieval``'s engine answers by words alone meanwhile), so the
deadline is only reached when the process is overloaded.

Each answer is counted for ``/corpus stats`` (by outcome, and by how it was
ranked) and recorded in its server's question log (what ``/corpus gaps``
reads) under the Discord id of what asked it, so the 👍/👎 under the answer
can name it. The question's text is logged at DEBUG only.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import logging
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import discord
from discord import app_commands

from quotebot.bot import delivery, metrics, render
from quotebot.bot.policy import ServerPolicy
from quotebot.bot.servers.folders import corpus_name
from quotebot.bot.servers.question_db import AskedQuestion
from quotebot.bot.servers.question_log import QuestionLog
from quotebot.bot.settings import Settings
from quotebot.bot.shutdown import Shutdown
from quotebot.retrieval import Answer, CorpusLibrary, Outcome, Ranking

log = logging.getLogger(__name__)

#: Questions answered at once: one per core, and one more for the time a question spends in the model.
RETRIEVAL_THREADS = (os.cpu_count() or 1) + 1
#: Of those, what one corpus may use: the rest is kept for other servers' questions.
THREADS_PER_CORPUS = max(1, RETRIEVAL_THREADS - 1)
BUSY = "I'm answering a lot of questions right now; please ask again in a moment."
# Mentions, channel links and custom emoji in a message's text: markup, not words of the question.
_MARKUP = re.compile(r"<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>")


class Via(enum.StrEnum):
    """How a question reached quotebot, as the question log records it."""

    ASK = "ask"
    MENTION = "mention"
    MESSAGE = "message"  # the "Answer with quotebot" context menu
    THREAD = "thread"  # the opening message of a new help thread


def confident_enough(answer: Answer, threshold: float) -> bool:
    """Whether ``answer`` may be posted where nobody asked quotebot: answered with a confidence of at least
    ``threshold`` (``bench.auto_answer`` measures the threshold), never an unsure one."""
    return answer.outcome is Outcome.ANSWERED and answer.confidence >= threshold


def question_in_text(text: str) -> str:
    """A message's text as a question: mentions, channel links and custom emoji dropped, spaces folded."""
    return " ".join(_MARKUP.sub(" ", text).split())


class Busy(app_commands.AppCommandError):
    """A question's deadline passed before its turn came: the process is overloaded."""

    def __init__(self) -> None:
        super().__init__(BUSY)


@dataclass
class QuestionStats:
    """Questions answered (confidently or not) and declined since start, and how they were ranked, for
    ``/corpus stats``."""

    answered: int = 0
    unsure: int = 0
    declined: int = 0
    busy: int = 0
    by_meaning: int = 0
    by_words: int = 0
    started: float = field(default_factory=time.time)

    def count(self, answer: Answer) -> None:
        if answer.outcome is Outcome.UNSURE:
            self.unsure += 1
        elif answer.answered:
            self.answered += 1
        else:
            self.declined += 1
        if answer.ranking is Ranking.SEMANTIC:
            self.by_meaning += 1
        else:
            self.by_words += 1


class Answering:
    """Answers, counts and records questions; one per bot."""

    def __init__(
        self,
        settings: Settings,
        corpora: CorpusLibrary,
        policy: ServerPolicy,
        questions: QuestionLog,
        shutdown: Shutdown,
    ) -> None:
        self.settings = settings
        self.corpora = corpora
        self.policy = policy
        self.questions = questions
        self.shutdown = shutdown
        self.stats: defaultdict[int | None, QuestionStats] = defaultdict(QuestionStats)
        self._threads = asyncio.Semaphore(RETRIEVAL_THREADS)
        # Each corpus's share of the threads (a server, or None for DMs): a few hundred bytes a server.
        self._corpus_turns: defaultdict[int | None, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(THREADS_PER_CORPUS)
        )

    async def answer(
        self, guild_id: int | None, question: str, *, question_id: int, asker_id: int, via: Via
    ) -> Answer:
        """The answer from the server's corpus (the shared one in DMs), counted and recorded;
        ``ShuttingDown`` if the bot stops before its turn comes, ``Busy`` if its deadline passes first."""
        started = time.perf_counter()
        try:
            answer = await self.shutdown.unless_stopped(self._retrieve(guild_id, question))
        except Busy:
            self.stats[guild_id].busy += 1
            metrics.count_busy(via.value)
            log.info("Busy: a question in server %s waited %.1f s without a turn", guild_id,
                     self.settings.answer_deadline_seconds)
            raise
        metrics.count_answer(answer, via.value, time.perf_counter() - started)
        self.stats[guild_id].count(answer)
        log.debug("Answered %r in server %s: %s, ranked %s, in %.0f ms", question, guild_id, answer.outcome.value,
                  answer.ranking.value, (time.perf_counter() - started) * 1000)
        if guild_id is not None:
            await self._record(guild_id, answer, question_id=question_id, asker_id=asker_id, via=via)
        return answer

    async def answer_interaction(
        self,
        interaction: discord.Interaction[discord.Client],
        question: str,
        *,
        via: Via,
        private: bool,
        about: discord.Message | None = None,
    ) -> Answer:
        """``answer`` for a command, deferring (``private``: ephemerally) when it takes longer than
        ``ask_defer_after_seconds``, well inside Discord's 3 s; otherwise the answer goes out as the callback.

        The question is the member's own, recorded under the interaction's id, unless it is ``about`` a
        message: then it is that message's author's, under the message's id.
        """
        question_id, asker_id = (about.id, about.author.id) if about else (interaction.id, interaction.user.id)
        pending = asyncio.ensure_future(
            self.answer(interaction.guild_id, question, question_id=question_id, asker_id=asker_id, via=via)
        )
        try:
            return await asyncio.wait_for(asyncio.shield(pending), self.settings.ask_defer_after_seconds)
        except TimeoutError:
            await delivery.acknowledge(interaction, ephemeral=private)
            return await pending
        finally:
            pending.cancel()  # only matters when deferring failed: nobody waits for that answer

    async def _retrieve(self, guild_id: int | None, question: str) -> Answer:
        """From the server's corpus (and the shared one, as its settings say), or the shared one in DMs, in a
        worker thread once this corpus's turn and a thread are free; ``Busy`` when that takes past the deadline."""
        name = None if guild_id is None else corpus_name(guild_id)
        include_shared = guild_id is None or bool((await self.policy.settings_of(guild_id)).include_shared)
        work = functools.partial(self.corpora.ask, name, question, self.settings.top_k, include_shared=include_shared)
        running = asyncio.ensure_future(self._in_turn(self._corpus_turns[guild_id], work))
        try:
            return await asyncio.wait_for(asyncio.shield(running), self.settings.answer_deadline_seconds)
        except TimeoutError:
            # Still waiting for a turn: it is dropped. Already in a thread: it finishes there, unseen.
            running.cancel()
            raise Busy() from None

    async def _in_turn(self, turn: asyncio.Semaphore, work: Callable[[], Answer]) -> Answer:
        """``work`` in a thread, holding the corpus's turn and a thread slot until the thread is done (even when
        nobody waits for its answer any more), so the bound on threads holds."""
        async with turn, self._threads:
            thread = asyncio.ensure_future(asyncio.to_thread(work))
            try:
                return await asyncio.shield(thread)
            except asyncio.CancelledError:
                await asyncio.wait({thread})
                raise

    async def _record(self, guild_id: int, answer: Answer, *, question_id: int, asker_id: int, via: Via) -> None:
        shown = render.page(answer) if answer.answered else None
        document, passage = (shown.document, shown.passage) if shown else (None, None)
        asked = AskedQuestion(
            id=question_id,
            asked_at=time.time(),
            text=answer.question,
            outcome=answer.outcome.value,
            asker_id=asker_id,
            via=via.value,
            document_id=document.id if document else None,
            passage_id=passage.id if passage else None,
        )
        self.questions.record(guild_id, asked, keep_days=await self.policy.kept_days(guild_id))
