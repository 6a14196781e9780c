"""``quotebot corpus check``: documents with passage counts, and a non-zero exit naming a bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotebot.bot import cli
from quotebot.retrieval.ingest.loader import load_folder
from quotebot.retrieval.ingest.passages import split_document
from tests.bot.cli.conftest import UNUSABLE_CORPUS_KINDS, unusable_corpus
from tests.conftest import SHIPPED_ARTICLE, SHIPPED_CORPUS, CorpusWriter


def expected_counts(folder: Path) -> dict[str, int]:
    """Passage counts straight from the splitter, so the listing is checked against the real split."""
    return {d.id: len(split_document(d)) for d in load_folder(folder).documents}


def test_lists_every_document_with_title_author_and_passage_count(
    small_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["corpus", "check", "--corpus", str(small_corpus)]) == 0
    captured = capsys.readouterr()
    counts = expected_counts(small_corpus)
    assert counts["zebrafish.md"] == 2
    lines = captured.out.splitlines()
    assert lines[0] == f"Corpus: {small_corpus}"
    assert lines[1:-2] == [
        "crane.md: “The Crane”, 1 passage",
        "ferry.md: “The Ferry”, 1 passage",
        "lighthouse.md: “The Lighthouse”, 1 passage",
        "pier.md: “The Pier”, 1 passage",
        "tugboat.md: “The Tugboat”, 1 passage",
        "warehouse.md: “The Warehouse”, 1 passage",
        "zebrafish.md: “Zebrafish Notes” by Ada Lovelace, 2 passages",
    ]
    assert lines[-2] == f"7 documents, {sum(counts.values())} passages, 0 bad files"
    # `check` reports the saved vectors and computes none.
    assert lines[-1] == (
        "Semantic model: 0 of 8 passages have vectors "
        "(the rest are computed while the bot runs, or now with `quotebot corpus embed`)"
    )
    assert captured.err == ""


def test_bad_file_exits_1_and_is_named_with_its_reason(
    write_corpus: CorpusWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_corpus(
        {
            "good.md": "---\ntitle: Good One\n---\nZebrafish spawn at dawn.\n",
            "sub/broken.md": "---\ntitle: [oops\n---\nText.\n",
            "latin.txt": "Caf\xe9".encode("latin-1"),
        }
    )
    assert cli.main(["corpus", "check", "--corpus", str(folder)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"Corpus: {folder}",
        "good.md: “Good One”, 1 passage",
        "1 document, 1 passage, 2 bad files",
        (
            "Semantic model: 0 of 1 passages have vectors "
            "(the rest are computed while the bot runs, or now with `quotebot corpus embed`)"
        ),
    ]
    assert captured.err.splitlines() == [
        f"quotebot: skipped {folder / 'latin.txt'}: not UTF-8 (bad byte at offset 3)",
        f"quotebot: skipped {folder / 'sub' / 'broken.md'}: front matter is not valid YAML (line 3)",
    ]


def test_uses_the_environment_variable(
    small_corpus: Path, isolated_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUOTEBOT_CORPUS", str(small_corpus))
    assert cli.main(["corpus", "check"]) == 0
    assert "zebrafish.md: “Zebrafish Notes”" in capsys.readouterr().out


@pytest.mark.parametrize("kind", UNUSABLE_CORPUS_KINDS)
def test_unusable_corpus_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    folder = unusable_corpus(tmp_path, kind, bad_file=("empty.md", b""))
    assert cli.main(["corpus", "check", "--corpus", str(folder)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith("quotebot: ") and str(folder) in line


def test_shipped_corpus_checks_clean(shipped_corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["corpus", "check", "--corpus", str(shipped_corpus_copy)]) == 0
    captured = capsys.readouterr()
    count = expected_counts(SHIPPED_CORPUS)[SHIPPED_ARTICLE]
    assert (
        f"{SHIPPED_ARTICLE}: “Number of North Korean Defectors Declines” by Robert R. King, {count} passages"
        in captured.out.splitlines()
    )
    assert captured.out.splitlines()[-2].endswith(" 0 bad files")
    assert captured.err == ""


def test_corpus_needs_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["corpus"])
    assert exited.value.code == 2
    assert "check" in capsys.readouterr().err


def test_embed_computes_every_vector_with_progress_and_check_then_counts_them(
    small_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["corpus", "embed", "--corpus", str(small_corpus)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "8 of 8 passages have vectors (all-MiniLM-L6-v2-int8)\n"
    progress = [line for line in captured.err.splitlines() if line.startswith("[")]
    assert progress[0].startswith("[....") and "0/8 passages" in progress[0]
    assert progress[-1] == "[" + "#" * 30 + "] 8/8 passages"

    assert cli.main(["corpus", "check", "--corpus", str(small_corpus)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Semantic model: every passage has vectors (8)"


def test_check_and_embed_say_when_the_semantic_model_is_off(
    small_corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.main(["corpus", "check", "--lexical", "--corpus", str(small_corpus)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Semantic model: off (answers by words alone)"
    monkeypatch.setenv("QUOTEBOT_SEMANTIC", "off")
    assert cli.main(["corpus", "embed", "--corpus", str(small_corpus)]) == 2
    assert "nothing to embed" in capsys.readouterr().err
