"""``.env.example`` and ``docs/configuration.md`` document every setting, as ``Settings`` declares it."""

from __future__ import annotations

import re
import shutil

from quotebot.bot import settings_reference
from quotebot.bot.settings import Settings
from tests.conftest import REPO_ROOT

REGENERATE = "out of date: run `python -m quotebot.bot.settings_reference` from the repository's root"


def test_env_example_is_written_from_the_settings():
    assert (REPO_ROOT / ".env.example").read_text(encoding="utf-8") == settings_reference.env_example(), REGENERATE


def test_the_configuration_page_holds_the_table_of_every_setting():
    page = (REPO_ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert settings_reference.with_table(page) == page, REGENERATE
    table = page.partition(settings_reference.TABLE_START)[2].partition(settings_reference.TABLE_END)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", table, re.MULTILINE))
    assert documented == {setting.variable for setting in settings_reference.settings()}
    assert len(documented) == len(Settings.model_fields)


def test_every_setting_has_a_description(monkeypatch):
    monkeypatch.setattr(Settings.model_fields["top_k"], "description", None)
    try:
        settings_reference.settings()
    except ValueError as error:
        assert "top_k has no description" in str(error)
    else:
        raise AssertionError("an undocumented setting went unnoticed")


def test_a_copy_of_the_example_changes_nothing_and_every_line_uncommented_gives_the_defaults(clean_env):
    defaults = Settings().model_dump()
    shutil.copyfile(REPO_ROOT / ".env.example", clean_env / ".env")
    assert Settings().model_dump() == defaults
    example = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    uncommented = re.sub(r"^# ([A-Z_]+=)", r"\1", example, flags=re.MULTILINE)
    (clean_env / ".env").write_text(uncommented, encoding="utf-8")
    assert uncommented.count("\nQUOTEBOT_") == len(Settings.model_fields) - 1
    assert Settings().model_dump() == defaults
