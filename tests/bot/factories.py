"""Hand-built ``Answer`` values, so renderer and view tests do not depend on how retrieval ranks."""

from __future__ import annotations

from hypothesis import strategies as st

from quotebot.retrieval.answer.models import Answer, Hit, Outcome
from quotebot.retrieval.ingest.models import Document, Passage

QUOTE = "In 2019, 1,047 defectors arrived in South Korea."


def document(
    title: str = "Number of North Korean Defectors Declines",
    *,
    author: str | None = "Robert R. King",
    publication: str | None = "The Peninsula",
    url: str | None = "https://example.org/defectors",
    doc_id: str = "defectors.md",
    body: str = "",
) -> Document:
    return Document(id=doc_id, title=title, body=body, author=author, publication=publication, url=url)


def passage(
    text: str, doc: Document | None = None, *, section: str | None = "Defectors in 2019", number: int = 1
) -> Passage:
    doc = doc or document(body=text)
    return Passage(
        id=f"{doc.id}#p{number}", document=doc, section=section, paragraph=number, start=0, end=len(text), text=text
    )


def answered(
    quote: str,
    *,
    passages: list[Passage] | None = None,
    question: str = "How many defectors arrived in 2019?",
    highlight: tuple[str, ...] = (),
    matched_terms: frozenset[str] = frozenset(),
    outcome: Outcome = Outcome.ANSWERED,
    confidence: float = 0.9,
) -> Answer:
    """An answer quoting ``quote`` from the first passage (which contains it), ``highlight`` words in bold."""
    passages = passages or [passage(f"Some context before. {quote} And some after.")]
    hits = tuple(Hit(rank=i, score=10.0 / i, passage=p) for i, p in enumerate(passages, start=1))
    spans = tuple((start, start + len(word)) for word in highlight if (start := quote.find(word)) >= 0)
    return Answer(
        question=question,
        outcome=outcome,
        quote=quote,
        hits=hits,
        confidence=confidence,
        matched_terms=matched_terms,
        highlights=spans,
        source=passages[0].document,
        section=passages[0].section,
    )


def declined(
    question: str = "What is the capital of France?", reason: str | None = "Nothing in the corpus matches those words."
) -> Answer:
    return Answer(question=question, outcome=Outcome.DECLINED, quote=None, hits=(), confidence=0.0, decline_reason=reason)


@st.composite
def any_answers(draw: st.DrawFn) -> Answer:
    """Answers made of arbitrary text, some of it huge: for checking that every length limit holds."""
    quote = draw(st.text(min_size=1, max_size=6000))
    title = draw(st.text(min_size=1, max_size=600))
    question = draw(st.text(max_size=3000))
    section = draw(st.none() | st.text(max_size=500))
    doc = document(title, author=title, publication=title)
    words = tuple(quote.split()[:5])
    outcome = draw(st.sampled_from([Outcome.ANSWERED, Outcome.UNSURE]))
    return answered(
        quote,
        passages=[passage("ctx " + quote + " ctx", doc, section=section)],
        question=question,
        highlight=words,
        outcome=outcome,
    )
