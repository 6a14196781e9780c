"""Which servers a process serves: Discord's shard formula, and the shards this process was given."""

from __future__ import annotations

import pytest

from quotebot.bot.servers.sharding import Shards, shard_of

FIRST = 1_317_000_000_000_000_100
SECOND = FIRST + (1 << 22)


def test_the_shard_of_a_server_is_discords_formula() -> None:
    assert [shard_of(FIRST, 2), shard_of(SECOND, 2)] == [0, 1]
    assert shard_of(81384788765712384, 16) == (81384788765712384 >> 22) % 16


@pytest.mark.parametrize(
    ("shards", "owns_first", "owns_second", "described"),
    [
        (Shards(), True, True, "all shards (as many as Discord recommends)"),
        (Shards(2), True, True, "all 2 shards"),
        (Shards(2, (0,)), True, False, "shard 0 of 2"),
        (Shards(2, (1,)), False, True, "shard 1 of 2"),
        (Shards(4, (0, 1)), True, True, "shards 0, 1 of 4"),
    ],
)
def test_a_process_owns_the_servers_of_its_shards(shards, owns_first, owns_second, described) -> None:  # type: ignore[no-untyped-def]
    assert (shards.owns(FIRST), shards.owns(SECOND), shards.describe()) == (owns_first, owns_second, described)
