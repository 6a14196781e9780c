"""How much one server may ask the bot to keep: bounded, because every passage costs memory and embedding time.

A public bot serves servers it does not know: without a bound, one of them
could fill the disk, the memory of the corpora kept loaded, and hours of the
embedding worker (about 0.1 s a passage). The bound is checked before
anything is written, against what the corpus holds now plus what is being
added (a replaced document counts once), so a refused addition leaves the
corpus exactly as it was. The owner's shared corpus has no bound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from quotebot.retrieval.ingest.loader import CorpusError
from quotebot.retrieval.ingest.models import Document
from quotebot.retrieval.ingest.passages import split_document


class OverLimit(CorpusError):
    """An addition would take a corpus over one of its limits; ``str()`` names the limit, for the moderator."""


@dataclass(frozen=True)
class CorpusLimits:
    """The most documents and passages one named corpus may hold (``None``: no bound)."""

    documents: int | None = None
    passages: int | None = None

    def check(self, passages_now: Mapping[str, int], adding: Sequence[Document]) -> None:
        """Raise ``OverLimit`` when ``adding`` to a corpus whose documents have ``passages_now`` (document id to
        passage count) would exceed a limit."""
        per_document = dict(passages_now)
        for document in adding:
            per_document[document.id] = len(split_document(document))
        count, passages = len(per_document), sum(per_document.values())
        if self.documents is not None and count > self.documents:
            raise OverLimit(
                f"this server may keep at most {self.documents:,} documents, and this would make {count:,}: "
                "remove some first (QUOTEBOT_SERVER_MAX_DOCUMENTS)"
            )
        if self.passages is not None and passages > self.passages:
            raise OverLimit(
                f"this server may keep at most {self.passages:,} passages, and this would make {passages:,}: "
                "remove some documents first (QUOTEBOT_SERVER_MAX_PASSAGES)"
            )
