"""Highlights read piece by piece must be those of reading every word of the quote."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from quotebot.retrieval.answer.questions import analyze
from quotebot.retrieval.answer.quoting import highlight_spans
from quotebot.retrieval.index.tokens import piece_terms, word_spans

# Words, joiners, full stops, a backtick and marks that normalisation changes (a ligature, a full-width
# letter, a typographic apostrophe, a combining accent), so pieces whose terms differ from their words' occur.
_WORDS = ["rate", "suicide", "don", "t", "Korea", "defectors", "U.S.", "1,047", "Jong-un", "year.", "don`t", "ﬁsh", "fish",
          "ｆish", "Korea’s", "cafe\u0301", "café", "the", "It", "IT", "IT`s", "IT’s"]
_TEXT = st.lists(st.sampled_from([*_WORDS, ",", ".", "`", "-", "'"]), min_size=1, max_size=25).flatmap(
    lambda parts: st.lists(st.sampled_from([" ", "", "\n", "  "]), min_size=len(parts), max_size=len(parts)).map(
        lambda gaps: "".join(part + gap for part, gap in zip(parts, gaps))
    )
)


def word_by_word(text: str, question_text: str) -> tuple[tuple[int, int], ...]:
    """Every word of the text looked at on its own, neighbours joined: what ``highlight_spans`` must give."""
    question = analyze(question_text)
    wanted = set(question.topic_terms) | set(question.expansion_terms())
    merged: list[tuple[int, int]] = []
    for a, b in word_spans(text):
        if wanted.isdisjoint(piece_terms(text[a:b])):
            continue
        if merged and not text[merged[-1][1]:a].strip():
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return tuple(merged)


@settings(max_examples=300, deadline=None)
@given(text=_TEXT, asked=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4))
def test_highlights_equal_reading_every_word(text: str, asked: list[str]) -> None:
    question = f"What about {' '.join(asked)}?"
    assert highlight_spans(text, analyze(question)) == word_by_word(text, question)


def test_highlights_mark_the_question_words_and_join_neighbours() -> None:
    text = "The suicide rate of defectors in South Korea, don`t forget, is ﬁsh."
    spans = highlight_spans(text, analyze("What is the suicide rate of defectors in South Korea who fish?"))
    assert [text[a:b] for a, b in spans] == ["suicide rate", "defectors", "South Korea", "ﬁsh"]
