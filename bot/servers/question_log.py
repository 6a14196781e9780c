"""Every server's question database behind one worker thread: what ``/corpus gaps`` and ``/corpus stats`` read.

All reads and writes run in one thread, in the order they were asked for,
so a vote always lands after the question it names, nothing ever waits for
SQLite's locks, and the event loop never touches the disk. Questions are
recorded without waiting (an answer is never slowed by its record), in
batches: those of the last ``BATCH_SECONDS`` are written in one transaction
per server, or sooner when another request needs them on disk first. One
write per question measurably slowed the event loop under load (another
thread waking for the GIL 50 times a second, see the README). Votes, thread
claims and reports are awaited. The files stay open in a small LRU,
and a server's questions older than its retention period are dropped at most
once an hour, when it next records one. A database that cannot be opened or
written is logged and skipped: the record of a question is never worth an
answer.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from quotebot.bot.servers.folders import ServerFolders
from quotebot.bot.servers.question_db import AskedQuestion, DocumentVotes, Gap, QuestionDatabase, Totals, Vote

log = logging.getLogger(__name__)

T = TypeVar("T")

DAY = 24 * 60 * 60.0
#: Server databases kept open at once (each is one file descriptor and a little memory).
OPEN_DATABASES = 64
#: How often a server's old questions are dropped, at most.
PRUNE_EVERY_SECONDS = 60 * 60.0
#: How long a thread stays claimed: far longer than an opening message can follow its thread's creation.
THREAD_CLAIM_DAYS = 7.0
#: How long questions wait to be written together.
BATCH_SECONDS = 0.5


class QuestionLog:
    """The question databases of the servers this process serves (``folders.questions_file``)."""

    def __init__(self, folders: ServerFolders, *, open_databases: int = OPEN_DATABASES) -> None:
        self._folders = folders
        self._capacity = open_databases
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="question-log")
        # Touched only in the worker thread.
        self._open: OrderedDict[int, QuestionDatabase] = OrderedDict()
        self._pruned: dict[int, float] = {}
        self._pending: set[asyncio.Future[None]] = set()
        self._batch: list[tuple[int, AskedQuestion, float]] = []
        self._write_soon: asyncio.TimerHandle | None = None
        self._closed = False

    def record(self, guild_id: int, question: AskedQuestion, *, keep_days: float) -> None:
        """Keep ``question`` for ``keep_days``, in the background; with 0 days it is not kept, and what the
        server kept before is dropped."""
        if self._closed:
            return
        self._batch.append((guild_id, question, keep_days))
        if self._write_soon is None:
            self._write_soon = asyncio.get_running_loop().call_later(BATCH_SECONDS, self._write_batch)

    async def vote(
        self, guild_id: int, question_id: int, voter_id: int, *, helpful: bool, passage_id: str | None = None
    ) -> Vote | None:
        """Keep a 👍/👎; ``None`` when the question is not kept (a server keeping none, or one pruned)."""
        return await self._run(
            guild_id,
            "record a vote",
            lambda db: db.vote(question_id, voter_id, helpful=helpful, at=time.time(), passage_id=passage_id),
            create=False,
        )

    async def claim_thread(self, guild_id: int, thread_id: int) -> bool:
        """``True`` exactly once per thread, however often and by however many events it is asked.

        A database that cannot be written refuses the claim: no record, no automatic answer.
        """
        claimed = await self._run(
            guild_id, "claim a thread", lambda db: db.claim_thread(thread_id, time.time()), create=True
        )
        return bool(claimed)

    async def gaps(self, guild_id: int, since: float, *, documents: int) -> tuple[list[Gap], list[DocumentVotes]]:
        """The questions the corpus failed since ``since``, and the documents with the most 👎."""
        found = await self._run(
            guild_id,
            "read the gaps",
            lambda db: (db.gaps(since), db.disliked_documents(since, documents)),
            create=False,
        )
        return found or ([], [])

    async def totals(self, guild_id: int, since: float) -> Totals:
        return await self._run(guild_id, "count questions", lambda db: db.totals(since), create=False) or Totals()

    async def forget(self, guild_id: int) -> None:
        """Close a server's database (the bot left it; its folder may be deleted), after the questions recorded
        before: written later, they would reopen it."""
        self._write_batch()
        await asyncio.get_running_loop().run_in_executor(self._worker, self._close, guild_id)

    async def close(self) -> None:
        """Finish the writes under way, then close every database; later requests do nothing."""
        self._write_batch()
        if self._pending:
            await asyncio.wait(set(self._pending))
        self._closed = True
        await asyncio.get_running_loop().run_in_executor(self._worker, self._close_all)
        self._worker.shutdown(wait=True)

    async def _run(
        self, guild_id: int, what: str, work: Callable[[QuestionDatabase], T], *, create: bool
    ) -> T | None:
        """``work`` on the server's database in the worker thread, after the questions recorded before;
        ``None`` when it failed (logged), or when the server has no database and ``create`` is false
        (reading creates nothing)."""
        if self._closed:
            log.debug("Not asked to %s for server %s: the question log is closed", what, guild_id)
            return None
        self._write_batch()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, self._in_worker, guild_id, what, work, create)

    def _write_batch(self) -> None:
        """Queue the questions recorded so far, ahead of any later request."""
        if self._write_soon is not None:
            self._write_soon.cancel()
            self._write_soon = None
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        future = asyncio.get_running_loop().run_in_executor(self._worker, self._write, batch)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def _write(self, batch: list[tuple[int, AskedQuestion, float]]) -> None:
        by_server: dict[int, list[tuple[AskedQuestion, float]]] = {}
        for guild_id, question, keep_days in batch:
            by_server.setdefault(guild_id, []).append((question, keep_days))
        for guild_id, asked in by_server.items():
            kept = [question for question, keep_days in asked if keep_days > 0]
            keep_days = asked[-1][1]  # the server's latest setting
            self._in_worker(guild_id, "record questions", partial(self._keep, guild_id, kept, keep_days), bool(kept))

    def _keep(self, guild_id: int, questions: list[AskedQuestion], keep_days: float, db: QuestionDatabase) -> None:
        db.record(questions)
        self._prune(guild_id, db, keep_days)

    def _in_worker(self, guild_id: int, what: str, work: Callable[[QuestionDatabase], T], create: bool) -> T | None:
        try:
            db = self._database(guild_id, create=create)
            return None if db is None else work(db)
        except (sqlite3.Error, OSError) as error:
            log.warning("Could not %s in the question log of server %s: %s", what, guild_id, error)
            self._close(guild_id)  # reopened next time, in case the file was replaced
            return None

    def _prune(self, guild_id: int, db: QuestionDatabase, keep_days: float) -> None:
        now = time.time()
        if now - self._pruned.get(guild_id, 0.0) >= PRUNE_EVERY_SECONDS:
            db.prune(questions_before=now - keep_days * DAY, threads_before=now - THREAD_CLAIM_DAYS * DAY)
            self._pruned[guild_id] = now

    def _database(self, guild_id: int, *, create: bool) -> QuestionDatabase | None:
        db = self._open.get(guild_id)
        if db is not None:
            self._open.move_to_end(guild_id)
            return db
        path = self._folders.questions_file(guild_id)
        if not create and not path.exists():
            return None
        db = QuestionDatabase(path)
        self._open[guild_id] = db
        while len(self._open) > self._capacity:
            self._open.popitem(last=False)[1].close()
        return db

    def _close(self, guild_id: int) -> None:
        db = self._open.pop(guild_id, None)
        if db is not None:
            db.close()

    def _close_all(self) -> None:
        for guild_id in list(self._open):
            self._close(guild_id)
