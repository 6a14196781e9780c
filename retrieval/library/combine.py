"""Answering from a corpus of one's own plus a shared one, without indexing them together.

Building the shared documents into every named corpus's index would multiply
their memory by the number of corpora loaded, and a change to them would
rebuild every one. Instead each corpus answers on its own and the
better-supported answer is kept. BM25 scores cannot decide that: their scale
depends on each index's vocabulary and lengths. The answer's ``confidence``
can, as it is the estimated probability that the quoted passage answers the
question, on the same scale for every corpus (``bench.combined_corpora``
measures this against one index of both).
"""

from __future__ import annotations

from quotebot.retrieval.answer.models import Answer


def support(answer: Answer) -> tuple[bool, float]:
    """How well ``answer`` is supported, comparable across corpora: answered first, then confidence."""
    return answer.answered, answer.confidence


def better_supported(own: Answer, shared: Answer) -> Answer:
    """``shared`` only when it is better supported than ``own``; on a tie a community's own documents win."""
    return shared if support(shared) > support(own) else own
