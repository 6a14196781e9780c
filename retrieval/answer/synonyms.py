"""Everyday words a member types, and the words a written source uses instead.

BM25 only matches words it sees: a member asks how many refugees "America"
took in, the article says "the United States"; they ask for "the highest"
number, it says "peak". This is a small, general-English list (no entry is
about any one corpus), applied to questions only, so the index stays exact.
Each line is one group of words or phrases that can stand for each other.
"""

from __future__ import annotations

from functools import lru_cache

from quotebot.retrieval.index.tokens import terms

_GROUPS = """
america, american, americans, us, usa, united states, u.s.
britain, british, uk, united kingdom, england
un, united nations
eu, european union
north korea, north korean, dprk, pyongyang
south korea, south korean, rok, seoul
china, chinese
japan, japanese
russia, russian
vietnam, vietnamese
france, french
germany, german
india, indian
canada, canadian
mexico, mexican
highest, peak, maximum, record, most, top, largest, biggest
lowest, minimum, fewest, smallest, least
increase, rise, grow, growth, boost, climb, jump, up
decrease, decline, drop, fall, reduce, reduction, cut, fewer, shrink, down
begin, start, launch, commence, began, started
end, finish, stop, halt, conclude
arrive, arrival, reach, resettle
leader, ruler, head, chief
president, head of state
country, nation
money, funds, funding, budget, cash
pay, salary, wage, wages, income, earn, earnings, make a living
job, work, employment, career, occupation, profession, position
happy, satisfied, satisfaction, content, pleased
sad, unhappy, depressed, miserable
die, dead, death, died, killed, perish
kill themselves, suicide
kill, killing, murder, slay
help, aid, assist, assistance, support
arrest, arrested, detain, detained, catch, caught, capture, captured, apprehend, apprehended, seize
send back, sent back, hand back, handed back, return, returned, repatriate, repatriation, deport, deportation, expel, expelled
escape, flee, fled, run away, get out, leave, defect
refugee, refugees, defector, defectors, escapee, escapees, asylum seeker
migrant, immigrant, emigrant
immigration, migration
lawyer, attorney, counsel, legal representation
trial, court, hearing, tribunal
judge, justice, magistrate
law, legislation, statute, act
crime, offense, offence, felony
punish, punishment, penalty, penalties, sentence
prison, jail, camp, detention
border, frontier, boundary
soldier, troops, military, army
sailor, sailors, seaman, seamen, fisherman, fishermen, crew, shipmates
ship, boat, vessel
tv, television, broadcast, program, programme
newspaper, press, media, journalist, journalists, reporter, reporters
mom, mother, mum
dad, father
kid, kids, child, children, son, daughter, boy, girl
wife, bride, spouse
husband, spouse
friend, friends, companion
family, relatives
home, house, apartment, flat, residence
city, town
big, large, huge, enormous, vast
small, little, tiny, minor
old, former, previous, ex, past, earlier
new, recent, latest
many, numerous, lots, plenty
about, approximately, around, roughly, some
buy, purchase
sell, sale
build, construct, construction
car, automobile, vehicle
film, movie
doctor, physician
ambassador, diplomat, envoy
minister, secretary
conservative, right wing, right-wing
liberal, left wing, left-wing, progressive
government, administration, authorities, regime
policy, approach, strategy, stance
talk, discuss, discussion, negotiate, negotiation, talks
peace, reconciliation, rapprochement, engagement
hunger, starvation, starve, famine
poor, poverty, hardship, difficulty, difficulties
rich, wealthy, affluent
show, display, portray, depict
picture, photo, photograph, image
begin, beginning, origin, founded, established
"""


@lru_cache(maxsize=1)
def synonym_table() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Each phrase's terms mapped to the terms of the other members of its groups."""
    table: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for line in _GROUPS.strip().splitlines():
        phrases = [tuple(terms(phrase)) for phrase in line.split(",")]
        phrases = [phrase for phrase in phrases if phrase]
        for phrase in phrases:
            table.setdefault(phrase, set()).update(other for other in phrases if other != phrase)
    return {phrase: tuple(sorted(others)) for phrase, others in table.items()}


def alternatives(query_terms: tuple[str, ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """For each query term (or the first term of a matched phrase), the phrases that may replace it."""
    table = synonym_table()
    found: dict[str, tuple[tuple[str, ...], ...]] = {}
    for i in range(len(query_terms)):
        for length in (3, 2, 1):
            phrase = query_terms[i:i + length]
            if len(phrase) == length and phrase in table:
                for term in phrase:
                    found.setdefault(term, table[phrase])
                break
    return found
