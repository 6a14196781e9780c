"""Each change for members' wording can be switched off alone, and is back on afterwards."""

from __future__ import annotations

from bench.wording_effect import CHANGES, switched_off
from quotebot.retrieval.answer.answer_type import AnswerType
from quotebot.retrieval.answer.questions import analyze


def _read(question: str):  # type: ignore[no-untyped-def]
    parsed = analyze(question)
    return parsed.answer_type, parsed.terms, parsed.expansion_terms()


def test_a_change_switched_off_is_off_only_while_switched_off() -> None:
    on = {
        "why": _read("why are so many defectors killing themselves"),
        "percent": _read("what % of defectors have jobs"),
        "capitals": analyze("how many ppl arrive in SK").name_terms,
        "made it to": _read("how many made it to the south"),
        "resettle": _read("how many arrived"),
    }
    assert on["why"][0] is AnswerType.REASON and on["percent"][0] is AnswerType.NUMBER
    with switched_off("why"):
        assert _read("why are so many defectors killing themselves")[0] is None
    with switched_off("percent"):
        assert _read("what % of defectors have jobs")[0] is None
    with switched_off("capitals"):
        assert not analyze("how many ppl arrive in SK").name_terms
    with switched_off("made it to"):
        assert "reach" not in _read("how many made it to the south")[1]
    with switched_off("resettle"):
        assert "resettl" not in _read("how many arrived")[2]
    assert "resettl" in on["resettle"][2]
    for change in CHANGES:
        with switched_off(change):
            pass
    assert on == {
        "why": _read("why are so many defectors killing themselves"),
        "percent": _read("what % of defectors have jobs"),
        "capitals": analyze("how many ppl arrive in SK").name_terms,
        "made it to": _read("how many made it to the south"),
        "resettle": _read("how many arrived"),
    }
