"""Questions that ask the same thing group by their content terms; others stay apart."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quotebot.retrieval import group_questions


def wordings(questions: list[str]) -> list[list[str]]:
    return [[questions[i] for i in group.members] for group in group_questions(questions)]


def test_rewordings_group_and_the_most_asked_group_comes_first() -> None:
    questions = [
        "How many defectors arrived in 2019?",
        "What is the capital of France?",
        "capital of france??",
        "how many defectors came in 2019",
        "What is the capital of France",
        "What is the capital of Spain?",
    ]
    assert wordings(questions) == [
        ["What is the capital of France?", "capital of france??", "What is the capital of France"],
        ["How many defectors arrived in 2019?", "how many defectors came in 2019"],
        ["What is the capital of Spain?"],
    ]


def test_a_group_is_anchored_on_its_most_asked_wording() -> None:
    questions = ["Where do defectors settle in Seoul?", "defectors seoul", "defectors seoul", "defectors in Busan?"]
    (group, single) = group_questions(questions)
    assert (group.anchor, group.members) == (1, (0, 1, 2))
    assert single.members == (3,)  # shares 1 of 3 terms with "defectors seoul": apart


def test_questions_without_content_terms_group_only_with_the_same_words() -> None:
    assert wordings(["what?", "What", "why?"]) == [["what?", "What"], ["why?"]]


@given(st.lists(st.text(max_size=40), max_size=12))
def test_every_question_is_in_exactly_one_group(questions: list[str]) -> None:
    groups = group_questions(questions)
    members = sorted(i for group in groups for i in group.members)
    assert members == list(range(len(questions)))
    assert all(group.anchor in group.members for group in groups)
    assert [len(group.members) for group in groups] == sorted((len(group.members) for group in groups), reverse=True)
