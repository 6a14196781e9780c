"""Which text of a passage is searched, and how much each part counts.

A passage is indexed with its section heading and its document's title, so a
question naming the topic of a section finds the passages filed under it even
when the paragraph itself never repeats the heading's words.

A passage's own terms are analysed sentence by sentence, because answering
asks which sentence holds the question: the sentences and their terms are
computed once here, when the passage is indexed, and a passage's terms are
its sentences' terms in order (no word spans two sentences, so that is what
analysing the whole text gives; the tests hold the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

from quotebot.retrieval.index.tokens import terms
from quotebot.retrieval.ingest.models import Passage
from quotebot.retrieval.ingest.sentences import sentence_spans

# How many times the heading and title terms are added to a passage's own.
FIELD_REPEAT = 1


@dataclass(frozen=True)
class AnalysedPassage:
    """A passage's sentences (spans in its text) with their terms, and the terms of its heading and title."""

    spans: tuple[tuple[int, int], ...]
    sentence_terms: tuple[list[str], ...]
    field_terms: list[str]

    def terms(self) -> list[str]:
        """The terms BM25 indexes for the passage."""
        return [*chain.from_iterable(self.sentence_terms), *self.field_terms]


def analyse_passage(passage: Passage) -> AnalysedPassage:
    """Split ``passage`` into sentences and analyse each; text without a sentence boundary is one sentence."""
    spans = tuple(sentence_spans(passage.text)) or ((0, len(passage.text)),)
    fields = terms(passage.section or "") + terms(passage.document.title)
    return AnalysedPassage(
        spans=spans,
        sentence_terms=tuple(terms(passage.text[a:b]) for a, b in spans),
        field_terms=fields * FIELD_REPEAT,
    )
