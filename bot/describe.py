"""How a corpus's state is said to people, the same in Discord (``/corpus stats``) and on the command line
(``quotebot corpus check``)."""

from __future__ import annotations

from quotebot.retrieval import LiveEngine


def vectors_line(live: LiveEngine) -> str:
    """How many passages have the semantic model's vectors (the rest are embedded in the background)."""
    progress = live.embedding_progress
    if progress is None:
        return "Semantic model: off (answers by words alone)"
    if progress.complete:
        return f"Semantic model: every passage has vectors ({progress.total:,})"
    return (
        f"Semantic model: {progress.ready:,} of {progress.total:,} passages have vectors "
        "(the rest are computed while the bot runs, or now with `quotebot corpus embed`)"
    )
