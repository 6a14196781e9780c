"""Which text of a passage is searched, and how much each part counts.

A passage is indexed with its section heading and its document's title, so a
question naming the topic of a section finds the passages filed under it even
when the paragraph itself never repeats the heading's words.
"""

from __future__ import annotations

from quotebot.retrieval.index.tokens import terms
from quotebot.retrieval.ingest.models import Passage

# How many times the heading and title terms are added to a passage's own.
FIELD_REPEAT = 1


def passage_terms(passage: Passage) -> list[str]:
    """The terms BM25 indexes for ``passage``."""
    fields = terms(passage.section or "") + terms(passage.document.title)
    return terms(passage.text) + fields * FIELD_REPEAT
