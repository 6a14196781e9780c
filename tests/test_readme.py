"""The README stays short, its links lead somewhere, and its first two commands are the ones CI runs."""

from __future__ import annotations

import re

from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_is_short():
    assert len(README.splitlines()) <= 200, "keep the README short: longer material belongs in docs/"


def test_every_relative_link_leads_to_a_file_of_the_repository():
    targets = re.findall(r"\]\((?!https?://)([^)#]+)(?:#[^)]*)?\)", README)
    assert targets
    assert [target for target in targets if not (REPO_ROOT / target).exists()] == []


def test_the_first_two_commands_are_those_ci_runs_as_written():
    first_block = re.search(r"```bash\n(.*?)```", README, re.DOTALL)
    assert first_block is not None
    commands = first_block.group(1).splitlines()
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[:2] == [
        'pip install . && quotebot ask "What was the peak number of North Korean defectors reaching South Korea?"',
        "pip install '.[test]' && python -m pytest",
    ]
    for command in commands[:2]:
        assert f"{command} || exit 1" in ci
