"""How a corpus's state is said to people, the same in Discord (``/corpus stats``) and on the command line
(``quotebot corpus check``)."""

from __future__ import annotations

from quotebot.retrieval import EmbeddingBacklog, LiveEngine


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


def ranking_line(by_meaning: int, by_words: int) -> str:
    """How the answers since start were ranked: by words and meaning, or by words alone while passages waited
    for their vectors (or with the semantic model off)."""
    total = by_meaning + by_words
    if total == 0:
        return "Ranking: no questions yet"
    return (
        f"Ranking: {by_meaning / total:.0%} by words and meaning, {by_words / total:.0%} by words alone "
        f"({by_words:,} of {total:,}: passages not embedded yet, or the semantic model off)"
    )


def process_line(backlog: EmbeddingBacklog, loop_lag_seconds: float) -> str:
    """The whole process: what its one embedding worker has left, over every server, and the event loop's lag."""
    embedding = (
        f"{backlog.missing:,} passages of {backlog.corpora_embedding} corpora waiting for vectors"
        if backlog.missing
        else "nothing waiting for vectors"
    )
    return f"This bot process: {embedding}; event loop at most {loop_lag_seconds * 1000:.0f} ms late in the last minute"
