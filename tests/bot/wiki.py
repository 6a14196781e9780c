"""A community wiki of any size, as one Markdown document: the load that made the semantic model's cost show.

Each section is one passage of about a hundred words about one numbered
place, with its own figures, so questions about different sections have
different answers and the model has real English to embed.
"""

from __future__ import annotations

import random

PLACES = ["harbour", "lighthouse", "ferry terminal", "fish market", "boatyard", "pier", "customs house", "dockyard"]
ACTIONS = ["was rebuilt", "was repainted", "reopened", "was extended", "was first surveyed", "was sold"]
PEOPLE = ["the council", "a fishing cooperative", "the port authority", "volunteers", "a shipping company"]
REASONS = ["after a winter storm", "because trade grew", "when the railway arrived", "to attract visitors"]

QUESTION = "When was the {place} number {n} rebuilt, and who paid for it?"


def wiki_document(passages: int, *, seed: int = 0, title: str = "Harbour wiki") -> str:
    """``passages`` sections of about a hundred words; a different ``seed`` gives other figures (a rewrite)."""
    rng = random.Random(seed)
    sections = [f"---\ntitle: {title}\n---\n"]
    for n in range(passages):
        place, action = PLACES[n % len(PLACES)], ACTIONS[(n // len(PLACES)) % len(ACTIONS)]
        year, cost, visitors = rng.randint(1850, 2020), rng.randint(2, 90), rng.randint(100, 9000)
        people, reason = rng.choice(PEOPLE), rng.choice(REASONS)
        sections.append(
            f"## The {place} number {n}\n\n"
            f"The {place} number {n} {action} in {year} {reason}. The work cost {cost} thousand pounds, paid by "
            f"{people}, and took {rng.randint(2, 30)} months. Today about {visitors} people visit it every summer, "
            f"and its records are kept in the town library. Older residents remember that before {year} the "
            f"{place} was smaller and stood closer to the water. A plaque by the entrance names {people} and the "
            f"{rng.randint(3, 40)} workers who built it, and a small exhibition shows photographs of the opening day.\n"
        )
    return "\n".join(sections)
