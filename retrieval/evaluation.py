"""Measuring answers against questions with known answers, beside plain BM25.

A figure only means something next to a baseline measured on the same text
in the same run, so every evaluation scores quotebot and plain
``rank_bm25.BM25Okapi`` (paragraphs, lower-cased ``\\w+`` tokens, no
stopwords, no stemming) side by side.

Three kinds of question are counted: answerable (an answer text must be in
the quote), off-topic (another article's questions: quotebot should
decline) and unanswerable (SQuAD 2.0's, written to look answerable from the
same article: quotebot should decline or say it is unsure).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from rank_bm25 import BM25Okapi

from quotebot.retrieval.answer.engine import QuoteEngine
from quotebot.retrieval.answer.models import Answer, Outcome
from quotebot.retrieval.index.embedding import TextEmbedder
from quotebot.retrieval.index.vector_store import VectorStore
from quotebot.retrieval.ingest.loader import CorpusError
from quotebot.retrieval.ingest.models import Document
from quotebot.retrieval.ingest.sentences import split_sentences

_PLAIN_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class EvalQuestion:
    """A question and the answer spans that make a passage correct; none means off-topic, or unanswerable."""

    question: str
    answers: tuple[str, ...]
    unanswerable: bool = False
    # SQuAD's id for the question: how a reworded set finds its questions (``load_reworded_squad``).
    key: str = ""


@dataclass(frozen=True)
class EvalCorpus:
    """Documents and the questions asked of them."""

    name: str
    documents: tuple[Document, ...]
    questions: tuple[EvalQuestion, ...]


@dataclass
class Tally:
    """Counts behind one row of the results table."""

    answerable: int = 0
    off_topic: int = 0
    hit_at_1: int = 0
    hit_at_3: int = 0
    quote_at_1: int = 0
    off_topic_declined: int = 0
    answerable_declined: int = 0
    answerable_unsure: int = 0
    unanswerable: int = 0
    unanswerable_not_confident: int = 0

    def add(self, other: Tally) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def figures(self) -> dict[str, float | None]:
        """Rates; ``None`` where no question of that kind was asked."""

        def rate(count: int, total: int) -> float | None:
            return count / total if total else None

        return {
            "hit@1": rate(self.hit_at_1, self.answerable),
            "hit@3": rate(self.hit_at_3, self.answerable),
            "quote@1": rate(self.quote_at_1, self.answerable),
            "off-topic declined": rate(self.off_topic_declined, self.off_topic),
            "answerable declined": rate(self.answerable_declined, self.answerable),
            "answerable unsure": rate(self.answerable_unsure, self.answerable),
            "unanswerable not confident": rate(self.unanswerable_not_confident, self.unanswerable),
        }


@dataclass
class EvalReport:
    """quotebot and the plain baseline over the same corpora."""

    quotebot: Tally = field(default_factory=Tally)
    plain_bm25: Tally = field(default_factory=Tally)
    corpora: int = 0


def load_question_file(path: Path) -> tuple[EvalQuestion, ...]:
    """Lines of ``{"question": str, "answers": [str], "unanswerable": bool}`` (the last optional: a question
    about the corpus that it does not answer); a bad line is an error naming its number."""
    return tuple(
        EvalQuestion(record["question"], tuple(map(str, record["answers"])), bool(record.get("unanswerable", False)))
        for record in _question_records(path)
    )


def _question_records(path: Path) -> list[dict]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            answers = record["answers"]
            if not isinstance(answers, list) or not isinstance(record["question"], str):
                raise TypeError('"question" must be a string and "answers" a list of strings')
            records.append(record)
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise CorpusError(f"{path}:{number}: not a question record ({error})") from None
    return records


def load_squad(path: Path, off_topic: bool = True) -> tuple[EvalCorpus, ...]:
    """Each SQuAD article as a one-document corpus.

    With ``off_topic``, the next article's questions are its off-topic ones
    (SQuAD v1.1); SQuAD 2.0's own unanswerable questions (``is_impossible``)
    are kept as unanswerable.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        articles = json.load(handle)["data"]
    own = [
        tuple(
            EvalQuestion(
                qa["question"],
                tuple(answer["text"] for answer in qa["answers"]),
                unanswerable=bool(qa.get("is_impossible", False)),
                key=qa.get("id", ""),
            )
            for paragraph in article["paragraphs"]
            for qa in paragraph["qas"]
        )
        for article in articles
    ]
    corpora = []
    for i, article in enumerate(articles):
        body = "\n\n".join(paragraph["context"].strip() for paragraph in article["paragraphs"])
        title = article["title"].replace("_", " ")
        document = Document(id=f"{article['title']}.md", title=title, body=body)
        others = (
            tuple(EvalQuestion(q.question, ()) for q in own[(i + 1) % len(articles)] if not q.unanswerable)
            if off_topic
            else ()
        )
        corpora.append(EvalCorpus(title, (document,), own[i] + others))
    return tuple(corpora)


def load_reworded_squad(
    path: Path, reworded: Path, off_topic: bool = True, original_wording: bool = False
) -> tuple[EvalCorpus, ...]:
    """The SQuAD articles of ``path`` with only the questions ``reworded`` holds, in its wording.

    ``reworded`` holds lines of ``{"id": SQuAD's id, "question": str, "answers": [str], ...}`` (see
    ``tests/data/README.md``); a line whose id ``path`` lacks belongs to another SQuAD file and is skipped.
    With ``original_wording`` the same questions are asked as SQuAD worded them, so the cost of the
    rewording is measured on the same questions. With ``off_topic`` (SQuAD v1.1), each article's off-topic
    questions are the next chosen article's answerable ones.
    """
    wording = {str(record["id"]): record["question"] for record in _question_records(reworded)}
    chosen = []
    for corpus in load_squad(path, off_topic=False):
        own = tuple(
            item if original_wording else replace(item, question=wording[item.key])
            for item in corpus.questions
            if item.key in wording
        )
        if own:
            chosen.append(replace(corpus, questions=own))
    if not off_topic:
        return tuple(chosen)
    return tuple(
        replace(
            corpus,
            questions=corpus.questions + tuple(
                EvalQuestion(item.question, ())
                for item in chosen[(i + 1) % len(chosen)].questions
                if not item.unanswerable
            ),
        )
        for i, corpus in enumerate(chosen)
    )


def evaluate(
    corpora: Iterable[EvalCorpus], embedder: TextEmbedder | None = None, store: VectorStore | None = None
) -> EvalReport:
    """Ask every question of every corpus, of quotebot (semantic when ``embedder`` is given) and of plain BM25.

    ``store`` keeps the passage vectors between runs (embedding is most of a semantic evaluation's time).
    """
    report = EvalReport()
    for corpus in corpora:
        report.quotebot.add(_score_quotebot(corpus, embedder, store))
        report.plain_bm25.add(_score_plain(corpus))
        report.corpora += 1
    return report


def _score_quotebot(corpus: EvalCorpus, embedder: TextEmbedder | None, store: VectorStore | None) -> Tally:
    engine = QuoteEngine.build(corpus.documents, embedder, store)
    tally = Tally()
    for item in corpus.questions:
        answer = engine.ask(item.question, top_k=3)
        texts = [hit.passage.text for hit in answer.hits]
        _count(tally, item, texts, answer.quote, outcome=_outcome(answer))
    return tally


def _outcome(answer: Answer) -> Outcome:
    return answer.outcome or (Outcome.ANSWERED if answer.answered else Outcome.DECLINED)


def _score_plain(corpus: EvalCorpus) -> Tally:
    paragraphs = [p.strip() for d in corpus.documents for p in d.body.split("\n\n") if p.strip()]
    index = BM25Okapi([_plain_tokens(p) for p in paragraphs])
    tally = Tally()
    for item in corpus.questions:
        query = _plain_tokens(item.question)
        top = index.get_top_n(query, paragraphs, n=3) if query else []
        quote = _plain_best_sentence(top[0], set(query)) if top else None
        _count(tally, item, top, quote, outcome=Outcome.ANSWERED)
    return tally


def _count(tally: Tally, item: EvalQuestion, texts: Sequence[str], quote: str | None, outcome: Outcome) -> None:
    declined = outcome is Outcome.DECLINED
    if item.unanswerable:
        tally.unanswerable += 1
        tally.unanswerable_not_confident += outcome is not Outcome.ANSWERED
        return
    if not item.answers:
        tally.off_topic += 1
        tally.off_topic_declined += declined
        return
    tally.answerable += 1
    tally.answerable_declined += declined
    tally.answerable_unsure += outcome is Outcome.UNSURE
    tally.hit_at_1 += bool(texts) and _holds(texts[0], item.answers)
    tally.hit_at_3 += any(_holds(text, item.answers) for text in texts[:3])
    tally.quote_at_1 += quote is not None and _holds(quote, item.answers)


def _holds(text: str, answers: Sequence[str]) -> bool:
    return any(answer in text for answer in answers)


def _plain_tokens(text: str) -> list[str]:
    return _PLAIN_TOKEN.findall(text.lower())


def _plain_best_sentence(paragraph: str, query: set[str]) -> str:
    sentences = split_sentences(paragraph) or [paragraph]
    return max(sentences, key=lambda sentence: len(query.intersection(_plain_tokens(sentence))))


def format_report(report: EvalReport, title: str, label: str = "quotebot") -> str:
    """The side-by-side table ``quotebot eval`` prints: the columns of the kinds of question asked."""
    rows = [(label, report.quotebot), ("plain BM25Okapi", report.plain_bm25)]
    names = [name for name, value in report.quotebot.figures().items() if value is not None]
    counts = [
        f"{count} {kind}"
        for count, kind in (
            (report.quotebot.answerable, "answerable"),
            (report.quotebot.off_topic, "off-topic"),
            (report.quotebot.unanswerable, "unanswerable"),
        )
        if count
    ]
    lines = [
        f"{title}: {report.corpora} corpora, {', '.join(counts) or 'no'} questions",
        f"{'':26}" + "".join(f"{name:>{len(name) + 2}}" for name in names),
    ]
    for name, tally in rows:
        figures = tally.figures()
        lines.append(f"{name:26}" + "".join(f"{_cell(figures[column]):>{len(column) + 2}}" for column in names))
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
