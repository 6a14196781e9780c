"""Fixtures shared by every test package (append new shared fixtures below; keep each one documented)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHIPPED_CORPUS = REPO_ROOT / "corpus"
SHIPPED_ARTICLE = "number-of-north-korean-defectors-declines.md"
#: The SQuAD dev articles the quality tests and benchmarks read (16 of v1.1, 6 of 2.0; licence: tests/data/README.md).
SQUAD_FOLDER = REPO_ROOT / "tests" / "data" / "squad"
SQUAD = SQUAD_FOLDER / "squad-v1.1-dev-public.json.gz"
SQUAD2 = SQUAD_FOLDER / "squad-v2.0-dev-public.json.gz"

CorpusWriter = Callable[..., Path]
#: Set by CI (``.ci/run``): a skipped test fails the run, so missing data or a missing tool is never passed over.
NO_SKIPS = "QUOTEBOT_TESTS_NO_SKIPS"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With ``QUOTEBOT_TESTS_NO_SKIPS`` set, fail a run in which any test skipped."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if os.environ.get(NO_SKIPS) and skipped and exitstatus == pytest.ExitCode.OK:
        print(f"\n{len(skipped)} test(s) skipped, and {NO_SKIPS} forbids it: failing the run.")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def user_cache_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private user cache directory (``$XDG_CACHE_HOME``) per test: tests never write to the real one."""
    folder = tmp_path_factory.mktemp("user-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture
def write_corpus(tmp_path: Path) -> CorpusWriter:
    """Factory writing a corpus folder under ``tmp_path`` and returning its path.

    ``write_corpus({"a.md": "text", "sub/b.txt": b"raw bytes"})``: ``str`` contents
    are written as UTF-8 bytes exactly (no newline translation, so CRLF tests
    mean what they say), ``bytes`` as given. Each call makes a new folder
    (``corpus``, ``corpus-2``, ...) unless ``name`` is passed.
    """
    made: list[Path] = []

    def write(files: Mapping[str, str | bytes], name: str | None = None) -> Path:
        folder = tmp_path / (name or ("corpus" if not made else f"corpus-{len(made) + 1}"))
        folder.mkdir(parents=True, exist_ok=True)
        for relative, content in files.items():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        made.append(folder)
        return folder

    return write


@pytest.fixture
def shipped_corpus() -> Path:
    """The corpus the project ships, for reading only.

    Anything that goes through ``LiveEngine`` (``quotebot ask``, the bot) saves an
    index cache beside the corpus; use ``shipped_corpus_copy`` for those.
    """
    return SHIPPED_CORPUS


@pytest.fixture
def shipped_corpus_copy(tmp_path: Path) -> Path:
    """The shipped documents copied to ``tmp_path / "shipped"`` (no cache), for tests that write beside them."""
    folder = tmp_path / "shipped"
    folder.mkdir()
    for path in SHIPPED_CORPUS.rglob("*"):
        relative = path.relative_to(SHIPPED_CORPUS)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_bytes(path.read_bytes())
    return folder


@pytest.fixture
def page_server():
    """A web server on 127.0.0.1 (``tests.page_server``): set ``routes[path] = Route(...)``, fetch ``url(path)``."""
    from tests.page_server import PageServer

    with PageServer() as server:
        yield server


DOCUMENT_FIXTURES = Path(__file__).resolve().parent / "data" / "documents"


@pytest.fixture
def article_html() -> bytes:
    """The article as its blog page carried it: header, navigation, share widget, comments, sidebar, footer."""
    return (DOCUMENT_FIXTURES / "defectors-article.html").read_bytes()


@pytest.fixture
def article_pdf() -> bytes:
    """The article printed to a 5-page PDF (``tests/data/documents/make_article_fixtures.py``)."""
    return (DOCUMENT_FIXTURES / "defectors-article.pdf").read_bytes()


@pytest.fixture
def article_docx() -> bytes:
    """The article typed as a document and saved by LibreOffice as .docx (``make_article_fixtures.py``)."""
    return (DOCUMENT_FIXTURES / "defectors-article.docx").read_bytes()
