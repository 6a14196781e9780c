"""Grouping questions that ask the same thing, so moderators read one line per gap instead of one per wording.

Members ask the same thing in many ways ("What is the capital of France?",
"capital of france??", "France's capital city?"). Two questions are taken to
ask the same thing when their content terms (the search terms left once the
words that only frame a question are gone, stemmed as the index stems them)
overlap by at least ``SAME_THING`` (Jaccard: shared over all): "How many
defectors arrived in 2019?" and "how many defectors came in 2019" share 2 of
4 and group; "capital of France" and "capital of Spain" share 1 of 3 and do
not. Each group is anchored on its most asked wording and compared by it,
so a chain of small overlaps never pulls unrelated questions together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from quotebot.retrieval.answer.questions import analyze, clean

#: Shared share of content terms from which two questions count as asking the same thing.
SAME_THING = 0.5


@dataclass(frozen=True)
class QuestionGroup:
    """Positions (in the list given to ``group_questions``) of questions asking the same thing.

    ``anchor`` is the most asked wording's first position; ``members`` holds
    every position, ``anchor`` included, in the order given.
    """

    anchor: int
    members: tuple[int, ...]


def group_questions(questions: Sequence[str]) -> list[QuestionGroup]:
    """``questions`` grouped by what they ask, the largest group first (ties: the group asked first).

    Identical wordings (case, spacing and punctuation aside) always group;
    a question without content terms groups only with its identical wordings.
    """
    wordings = [_wording(question) for question in questions]
    counts = Counter(wordings)
    first_position: dict[str, int] = {}
    for position, wording in enumerate(wordings):
        first_position.setdefault(wording, position)
    # Most asked wordings first, so each group is anchored on its commonest phrasing.
    order = sorted(first_position, key=lambda wording: (-counts[wording], first_position[wording]))
    anchors: list[tuple[str, frozenset[str]]] = []
    group_of: dict[str, int] = {}
    for wording in order:
        terms = frozenset(analyze(wording).topic_terms)
        best, best_overlap = None, SAME_THING
        for number, (_, anchor_terms) in enumerate(anchors):
            overlap = _jaccard(terms, anchor_terms)
            if overlap >= best_overlap and (best is None or overlap > best_overlap):
                best, best_overlap = number, overlap
        if best is None:
            best = len(anchors)
            anchors.append((wording, terms))
        group_of[wording] = best
    members: list[list[int]] = [[] for _ in anchors]
    for position, wording in enumerate(wordings):
        members[group_of[wording]].append(position)
    groups = [QuestionGroup(first_position[anchor], tuple(found)) for (anchor, _), found in zip(anchors, members)]
    return sorted(groups, key=lambda group: (-len(group.members), group.members[0]))


def _wording(question: str) -> str:
    """A question with case, spacing and trailing punctuation folded away."""
    return clean(question).casefold().rstrip("?!. ")


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
