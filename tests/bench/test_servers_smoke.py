"""The many-servers benchmark runs end to end on a tiny set of servers and prints a row per configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import servers


def test_servers_benchmark_prints_today_and_each_lru_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "bench"
    assert servers.main(["--servers", "6", "--passages", "20", "--capacities", "2", "6", "--folder", str(folder)]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split("|")[1].strip().split(" (")[0] for row in rows] == [
        "today: one server's corpus alone",
        "today: all servers in one corpus",
        "library, at most 2 loaded, 6 servers asked",
        "library, at most 6 loaded, 6 servers asked",
    ]
    assert [row.split("|")[2].strip() for row in rows] == ["1", "1", "2", "6"]  # the LRU bound holds
    assert len([path for path in (folder / "servers").iterdir() if path.name.isdigit()]) == 6
