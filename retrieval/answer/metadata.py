"""Questions about a document itself ("who wrote this?") answered from its metadata.

The text of an article rarely names its own author or publication, so BM25
cannot answer these; the front matter can.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from functools import cached_property, lru_cache

from quotebot.retrieval.answer.models import Answer, Hit, Outcome
from quotebot.retrieval.answer.questions import Intent, Question
from quotebot.retrieval.index.tokens import terms
from quotebot.retrieval.ingest.models import Document

# Words that only say which piece of metadata is wanted.
_METADATA_TEXT = (
    "wrote write writes written author authored writer penned publish published publication "
    "publisher title called named magazine journal site website blog outlet date posted when "
    "article text post piece page document essay story"
)


_THE_AUTHOR = re.compile(r"\b(the|this|its)\s+(author|writer)('s)?\b", re.IGNORECASE)
_AUTHOR_AS_SOURCE = re.compile(
    r"\b(say|says|said|think|thinks|argue|argues|write|writes|wrote|claim|claims|believe|believes|mention|"
    r"mentions|describe|describes|suggest|suggests|mean|means|conclude|concludes)\b",
    re.IGNORECASE,
)
# With more authors than this, "the author" names nobody in particular.
_MAX_AUTHORS_TO_NAME = 3


class Catalogue:
    """What metadata answers read of a corpus's documents, gathered once per corpus, not once per question."""

    def __init__(self, documents: Sequence[Document]) -> None:
        self.documents = tuple(documents)
        self.authors = tuple(sorted({document.author for document in documents if document.author}))

    @cached_property
    def titled(self) -> dict[str, frozenset[int]]:
        """Each term of any title, and the positions of the documents whose titles have it."""
        positions: dict[str, set[int]] = {}
        for position, document in enumerate(self.documents):
            for term in terms(document.title):
                positions.setdefault(term, set()).add(position)
        return {term: frozenset(found) for term, found in positions.items()}


def name_the_author(question: Question, catalogue: Catalogue) -> Question:
    """"Where does the author work?" searched as "where does Robert R. King work?".

    Biographies name the author, never "the author", so the phrase is replaced
    by the authors' names when the corpus has few enough of them.
    """
    authors = catalogue.authors
    if not authors or len(authors) > _MAX_AUTHORS_TO_NAME or not _THE_AUTHOR.search(question.text):
        return question
    if _AUTHOR_AS_SOURCE.search(question.text):
        # "What does the author say about China?" is about China, not about the author.
        return question
    names = tuple(term for author in authors for term in terms(author))
    # The semantic model reads the names too: "where does Robert R. King work".
    search_text = _THE_AUTHOR.sub(" and ".join(authors), question.search_text or question.text)
    return dataclasses.replace(
        question, terms=question.terms + names, topic_terms=question.topic_terms + names, search_text=search_text
    )


def is_about_document(question: Question, catalogue: Catalogue) -> bool:
    """True when the question asks for metadata and names no more than a document's title."""
    if question.intent is Intent.CONTENT:
        return False
    document = _target(question, catalogue)
    if document is None:
        return False
    # "Who wrote this?" is answered (or declined) from metadata alone; a question
    # that also names words falls back to the text when the metadata is missing.
    names_words = bool(set(question.terms) - metadata_terms())
    return not names_words or _statement(question.intent, document) is not None


def answer_about_document(question: Question, catalogue: Catalogue, hits: tuple[Hit, ...]) -> Answer:
    """State the wanted metadata, or decline when the document does not record it."""
    document = _target(question, catalogue)
    assert document is not None, "call is_about_document first"
    statement = _statement(question.intent, document)
    if statement is None:
        return Answer(
            question=question.text,
            outcome=Outcome.DECLINED,
            quote=None,
            hits=hits,
            confidence=0.0,
            decline_reason=f"“{document.title}” does not record its {question.intent.value}.",
        )
    # A document's own record, stated as it is: exact, so certain.
    return Answer(
        question=question.text, outcome=Outcome.ANSWERED, quote=statement, hits=hits, confidence=1.0, source=document
    )


def _target(question: Question, catalogue: Catalogue) -> Document | None:
    """The one document the question is about: the only one, or the one whose title it names."""
    rest = set(question.terms) - metadata_terms()
    if not rest:
        return catalogue.documents[0] if len(catalogue.documents) == 1 else None
    named = frozenset.intersection(*(catalogue.titled.get(term, frozenset()) for term in rest))
    return catalogue.documents[next(iter(named))] if len(named) == 1 else None


@lru_cache(maxsize=1)
def metadata_terms() -> frozenset[str]:
    """Analysed when first needed, so that importing this module never loads the stemmer."""
    return frozenset(terms(_METADATA_TEXT))


def _statement(intent: Intent, document: Document) -> str | None:
    title = f"“{document.title}”"
    if intent is Intent.AUTHOR and document.author:
        return f"{title} was written by {document.author}."
    if intent is Intent.PUBLICATION and (document.publication or document.publisher):
        where = ", ".join(part for part in (document.publication, document.publisher) if part)
        return f"{title} was published in {where}."
    if intent is Intent.DATE and document.date:
        return f"{title} is dated {document.date}."
    if intent is Intent.TITLE:
        return f"The document is titled {title}."
    return None
