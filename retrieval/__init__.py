"""quotebot's retrieval: a corpus folder in, quoted answers out; knows nothing of Discord.

A question's path follows the folders: ``ingest`` (files → documents →
passages and sentences), ``index`` (passages → terms, BM25 postings, the saved
index), ``answer`` (question → ranked passages → quote → outcome). ``live``
holds the snapshot being served; ``library`` serves many corpora (a shared
one and named ones loaded on demand); ``question_groups`` groups questions
that ask the same thing; ``evaluation`` measures answers.

The names below are the API the front ends (``quotebot.bot``) use; everything
else is free to change.
"""

from quotebot.retrieval.answer.engine import DEFAULT_TOP_K, MAX_TOP_K
from quotebot.retrieval.answer.models import Answer, Hit, Outcome, Ranking
from quotebot.retrieval.answer.questions import MAX_QUESTION_CHARS
from quotebot.retrieval.answer.quoting import highlight_question
from quotebot.retrieval.index.cache_location import cache_folders
from quotebot.retrieval.index.embedding import SemanticUnavailable, TextEmbedder
from quotebot.retrieval.index.embedding_scheduler import EmbeddingBacklog
from quotebot.retrieval.index.onnx_embedder import ModelFiles, checked_digests, load_embedder, model_files
from quotebot.retrieval.ingest.citation import is_web_url, page_url, quote_page, text_fragment_url
from quotebot.retrieval.ingest.durable import write_durably
from quotebot.retrieval.ingest.loader import CorpusError, FileProblem, load_folder
from quotebot.retrieval.ingest.models import Document, Passage
from quotebot.retrieval.ingest.shipped import default_corpus_folder, describe_corpus, is_shipped
from quotebot.retrieval.ingest.store import remove_document, safe_name, save_upload
from quotebot.retrieval.library.change_signal import ChangeSignal
from quotebot.retrieval.library.corpora import CorpusLibrary
from quotebot.retrieval.library.limits import CorpusLimits, OverLimit
from quotebot.retrieval.live import EmbeddingProgress, LiveEngine, ReloadReport
from quotebot.retrieval.question_groups import QuestionGroup, group_questions

__all__ = [
    "DEFAULT_TOP_K",
    "MAX_QUESTION_CHARS",
    "MAX_TOP_K",
    "Answer",
    "ChangeSignal",
    "CorpusError",
    "CorpusLibrary",
    "CorpusLimits",
    "Document",
    "EmbeddingBacklog",
    "EmbeddingProgress",
    "FileProblem",
    "Hit",
    "LiveEngine",
    "ModelFiles",
    "Outcome",
    "OverLimit",
    "Passage",
    "QuestionGroup",
    "Ranking",
    "ReloadReport",
    "SemanticUnavailable",
    "TextEmbedder",
    "cache_folders",
    "checked_digests",
    "default_corpus_folder",
    "describe_corpus",
    "group_questions",
    "highlight_question",
    "is_shipped",
    "is_web_url",
    "load_embedder",
    "load_folder",
    "model_files",
    "page_url",
    "quote_page",
    "remove_document",
    "safe_name",
    "save_upload",
    "text_fragment_url",
    "write_durably",
]
