"""👍/👎 verdicts on answers: logged, and appended to a JSON-lines file when one is configured.

The file is the raw material for judging retrieval quality on real questions,
so each line carries the question, the passage shown and the verdict. It names
no one: the voter is the keyed hash the server's question log already keeps
for them (``servers.question_db``), so a line can be matched with that server's
questions and nothing more. The question's text reaches the log only at DEBUG.
(Each server's own record of verdicts, for ``/corpus gaps``, is its question log.)
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)


class FeedbackLog:
    """Where verdicts go; file writes happen in a worker thread, one line at a time."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()

    async def record(
        self, *, question: str | None, passage_id: str | None, verdict: str, server_id: int | None, voter: str | None
    ) -> None:
        """Keep one verdict; ``voter`` is the keyed hash from ``server_id``'s question log (``None`` in a direct
        message, or where the server keeps no questions)."""
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "question": question,
            "passage_id": passage_id,
            "verdict": verdict,
            "server_id": None if server_id is None else str(server_id),
            "voter": voter,
        }
        log.info("Feedback %s on passage %s", verdict, passage_id)
        log.debug("Feedback %s on passage %s for question %r", verdict, passage_id, question)
        if self.path is not None:
            await asyncio.to_thread(self._append, json.dumps(entry, ensure_ascii=False))

    def _append(self, line: str) -> None:
        assert self.path is not None
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as file:
                    file.write(line + "\n")
        except OSError as error:
            # Losing one verdict must not turn a thank-you into an error message.
            log.warning("Could not append feedback to %s: %s", self.path, error)
