"""Which of two corpora's answers is given: the better-supported one, a community's own on a tie."""

from __future__ import annotations

from quotebot.retrieval.library.combine import better_supported
from tests.bot.factories import answered, declined


def with_confidence(answer, confidence):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(answer, confidence=confidence)


def test_an_answer_beats_a_decline_whatever_the_confidences() -> None:
    own, shared = with_confidence(declined(), 0.25), with_confidence(answered("Shared quote."), 0.31)
    assert better_supported(own, shared) is shared
    assert better_supported(shared, own) is shared


def test_the_more_confident_answer_wins_and_a_tie_keeps_the_own_one() -> None:
    own, shared = with_confidence(answered("Own quote."), 0.6), with_confidence(answered("Shared quote."), 0.9)
    assert better_supported(own, shared) is shared
    tie = with_confidence(answered("Shared quote."), 0.6)
    assert better_supported(own, tie) is own


def test_a_documents_own_record_is_certain_and_beats_any_judged_quote() -> None:
    metadata = with_confidence(answered("“Birds” was written by Ada Stone."), 1.0)  # as the engine states it
    assert better_supported(metadata, with_confidence(answered("Shared quote."), 0.99)) is metadata
