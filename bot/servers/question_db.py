"""One server's questions, 👍/👎 and automatically answered threads, in a small SQLite file in its folder.

Why SQLite (the standard library's ``sqlite3``): questions arrive one by one
for as long as the bot runs, are read back by time window, grouped and
counted, and dropped after the server's retention period; that is a table
with an index, not a file to rewrite at every question (per-server settings,
a handful of values changed rarely, stay JSON). One file per server keeps a
server's data in its folder, so leaving and purging a server removes it with
everything else. SQLite's locking is unreliable on network file systems, but
it is never needed across processes here: only the process serving a server's
shard opens its file (``sharding``), and in that process only one thread
(``question_log``).

No user id is stored. An asker or voter is a keyed hash of their id (HMAC
with a random salt kept in the file): enough to count distinct askers and to
keep one vote per member per answer, not enough to link a member across
servers. Anyone holding the file could still test a known id against it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,         -- the Discord id of what asked it: the interaction, or the message asked about
    asked_at REAL NOT NULL,         -- Unix time
    question TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'unsure', 'declined')),
    asker TEXT NOT NULL,            -- keyed hash of the asker's user id
    via TEXT NOT NULL,              -- ask, mention, message (the context menu) or thread (a new help thread)
    document_id TEXT,               -- the document quoted, if any
    passage_id TEXT
);
CREATE INDEX IF NOT EXISTS questions_by_time ON questions (asked_at);
CREATE TABLE IF NOT EXISTS votes (
    question_id INTEGER NOT NULL,
    voter TEXT NOT NULL,            -- keyed hash of the voter's user id: one vote per member per answer
    helpful INTEGER NOT NULL,       -- 1 for 👍, 0 for 👎
    document_id TEXT,
    passage_id TEXT,
    voted_at REAL NOT NULL,
    PRIMARY KEY (question_id, voter)
);
CREATE TABLE IF NOT EXISTS threads (
    thread_id INTEGER PRIMARY KEY,  -- a thread whose opening message was considered for an automatic answer
    claimed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
OUTCOMES = ("answered", "unsure", "declined")


@dataclass(frozen=True)
class AskedQuestion:
    """One question as recorded; ``id`` is the Discord id of what asked it, so a vote can name it at once."""

    id: int
    asked_at: float
    text: str
    outcome: str
    asker_id: int
    via: str
    document_id: str | None = None
    passage_id: str | None = None


@dataclass(frozen=True)
class Vote:
    """What a 👍/👎 was about: the question, and the passage shown; and the voter's keyed hash in this file."""

    question: str
    passage_id: str | None
    voter: str


@dataclass(frozen=True)
class Gap:
    """A question the corpus failed: declined, unsure, or answered and then given 👎."""

    text: str
    outcome: str
    asker: str
    dislikes: int
    asked_at: float


@dataclass(frozen=True)
class DocumentVotes:
    document_id: str
    dislikes: int
    likes: int


@dataclass(frozen=True)
class Totals:
    """Questions and 👍/👎 recorded since a time."""

    answered: int = 0
    unsure: int = 0
    declined: int = 0
    likes: int = 0
    dislikes: int = 0

    @property
    def questions(self) -> int:
        return self.answered + self.unsure + self.declined


class QuestionDatabase:
    """The open database file of one server; every method blocks (call them from one worker thread)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            self._db.executescript(SCHEMA)  # every statement is "if not exists"
            with self._transaction():
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                self._db.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', ?)", (secrets.token_hex(16),)
                )
            (salt,) = self._db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
        except sqlite3.Error:
            self._db.close()
            raise
        self._salt = bytes.fromhex(salt)

    def close(self) -> None:
        self._db.close()

    def person(self, user_id: int) -> str:
        """The keyed hash standing for a member in this server's file."""
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]

    def record(self, questions: Iterable[AskedQuestion]) -> None:
        """Keep ``questions``, in one transaction; asked again under the same id (the same message), the
        latest answer replaces the earlier one."""
        with self._transaction():
            self._db.executemany(
                "INSERT INTO questions (id, asked_at, question, outcome, asker, via, document_id, passage_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET asked_at = excluded.asked_at, "
                "outcome = excluded.outcome, document_id = excluded.document_id, passage_id = excluded.passage_id",
                [
                    (
                        question.id,
                        question.asked_at,
                        question.text,
                        question.outcome,
                        self.person(question.asker_id),
                        question.via,
                        question.document_id,
                        question.passage_id,
                    )
                    for question in questions
                ],
            )

    def vote(
        self, question_id: int, voter_id: int, *, helpful: bool, at: float, passage_id: str | None = None
    ) -> Vote | None:
        """Keep ``voter_id``'s verdict on the answer to ``question_id``, replacing their earlier one; the
        passage voted on is ``passage_id``, else the one quoted. ``None`` when that question is not kept."""
        with self._transaction():
            voted = self._db.execute(
                "INSERT INTO votes (question_id, voter, helpful, document_id, passage_id, voted_at) "
                "SELECT id, ?, ?, document_id, COALESCE(?, passage_id), ? FROM questions WHERE id = ? "
                "ON CONFLICT (question_id, voter) DO UPDATE SET helpful = excluded.helpful, "
                "passage_id = excluded.passage_id, voted_at = excluded.voted_at RETURNING passage_id",
                (voter := self.person(voter_id), int(helpful), passage_id, at, question_id),
            ).fetchone()
            if voted is None:
                return None
            (question,) = self._db.execute("SELECT question FROM questions WHERE id = ?", (question_id,)).fetchone()
            return Vote(question, voted[0], voter)

    def claim_thread(self, thread_id: int, at: float) -> bool:
        """``True`` the first time a thread is claimed for an automatic answer, ``False`` ever after."""
        with self._transaction():
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO threads (thread_id, claimed_at) VALUES (?, ?)", (thread_id, at)
            )
            return cursor.rowcount > 0

    def gaps(self, since: float) -> list[Gap]:
        """Questions since ``since`` that were declined, answered unsure, or got a 👎, oldest first."""
        rows = self._db.execute(
            "SELECT q.question, q.outcome, q.asker, COALESCE(SUM(v.helpful = 0), 0), q.asked_at "
            "FROM questions q LEFT JOIN votes v ON v.question_id = q.id WHERE q.asked_at >= ? "
            "GROUP BY q.id HAVING q.outcome != 'answered' OR SUM(v.helpful = 0) > 0 ORDER BY q.asked_at",
            (since,),
        )
        return [Gap(*row) for row in rows]

    def disliked_documents(self, since: float, limit: int) -> list[DocumentVotes]:
        """Documents with the most 👎 on answers since ``since`` (their 👍 beside), most first."""
        rows = self._db.execute(
            "SELECT v.document_id, SUM(v.helpful = 0) AS dislikes, SUM(v.helpful) FROM votes v "
            "JOIN questions q ON q.id = v.question_id WHERE q.asked_at >= ? AND v.document_id IS NOT NULL "
            "GROUP BY v.document_id HAVING dislikes > 0 ORDER BY dislikes DESC, v.document_id LIMIT ?",
            (since, limit),
        )
        return [DocumentVotes(*row) for row in rows]

    def totals(self, since: float) -> Totals:
        counts = dict(
            self._db.execute("SELECT outcome, COUNT(*) FROM questions WHERE asked_at >= ? GROUP BY outcome", (since,))
        )
        likes, dislikes = self._db.execute(
            "SELECT COALESCE(SUM(v.helpful), 0), COALESCE(SUM(v.helpful = 0), 0) FROM votes v "
            "JOIN questions q ON q.id = v.question_id WHERE q.asked_at >= ?",
            (since,),
        ).fetchone()
        return Totals(*(counts.get(outcome, 0) for outcome in OUTCOMES), likes=likes, dislikes=dislikes)

    def prune(self, *, questions_before: float, threads_before: float) -> None:
        """Forget questions (and their votes) asked before ``questions_before``, and old thread claims."""
        with self._transaction():
            self._db.execute(
                "DELETE FROM votes WHERE question_id IN (SELECT id FROM questions WHERE asked_at < ?)",
                (questions_before,),
            )
            self._db.execute("DELETE FROM questions WHERE asked_at < ?", (questions_before,))
            self._db.execute("DELETE FROM threads WHERE claimed_at < ?", (threads_before,))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
