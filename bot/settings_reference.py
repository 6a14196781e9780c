"""The settings as an operator reads them: ``.env.example`` and the table of ``docs/configuration.md``.

Both are written from ``Settings``' own fields (name, default, description),
so a setting cannot exist undocumented: ``tests/bot/test_settings_reference.py``
fails when either file differs from what this module writes. After adding or
changing a setting, run ``python -m quotebot.bot.settings_reference`` from the
repository's root.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from pydantic.fields import FieldInfo

from quotebot.bot.settings import ENV_PREFIX, TOKEN_VARIABLE, Settings

ENV_EXAMPLE = Path(".env.example")
CONFIGURATION_PAGE = Path("docs/configuration.md")
#: The lines of ``docs/configuration.md`` between which the generated table stands.
TABLE_START = "<!-- settings table: written by python -m quotebot.bot.settings_reference -->"
TABLE_END = "<!-- end of settings table -->"
#: Defaults computed at run time, said in words.
COMPUTED_DEFAULTS = {"corpus": "./corpus if it exists, else the shipped corpus"}
WIDTH = 100

ENV_HEADER = """\
# quotebot's settings. Copy this file to .env in the folder you run quotebot from, and uncomment what you change.
# Every setting may also be an environment variable, which wins over .env. Every command reads the same settings.
# On/off settings take on/off, true/false, yes/no or 1/0. Lists of ids: 1,2 or [1, 2].
# Written by `python -m quotebot.bot.settings_reference` from bot/settings.py: do not edit by hand.
"""


@dataclass(frozen=True)
class Setting:
    """One setting as documented: its variable, its default as written in ``.env`` (``""``: unset or computed),
    the default in words when it is computed at run time, and what it does."""

    variable: str
    value: str
    computed: str | None
    description: str

    @property
    def default(self) -> str:
        """The default for the configuration page's table."""
        if self.computed:
            return self.computed
        return f"`{self.value}`" if self.value else "unset"


def settings() -> list[Setting]:
    """Every field of ``Settings``, in the class's order."""
    found = []
    for name, field in Settings.model_fields.items():
        computed = COMPUTED_DEFAULTS.get(name)
        value = "" if computed else _default(field)
        found.append(Setting(_variable(name, field), value, computed, _description(name, field)))
    return found


def _variable(name: str, field: FieldInfo) -> str:
    alias = field.validation_alias
    return alias if isinstance(alias, str) else f"{ENV_PREFIX}{name.upper()}"


def _description(name: str, field: FieldInfo) -> str:
    if not field.description:
        raise ValueError(f"the setting {name} has no description: every setting is documented (bot/settings.py)")
    return field.description


def _default(field: FieldInfo) -> str:
    """The default as one would write it in ``.env``."""
    value = field.default_factory() if field.default_factory is not None else field.default  # type: ignore[call-arg]
    if value is None or value == []:
        return ""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def env_example() -> str:
    """``.env.example``: each setting's description as a comment, then the setting at its default, commented
    out (the token, which every bot needs, is left to fill in)."""
    blocks = [ENV_HEADER]
    for setting in settings():
        text = setting.description + (f" (default: {setting.computed})" if setting.computed else "")
        comment = textwrap.fill(text, WIDTH, initial_indent="# ", subsequent_indent="# ")
        line = f"{setting.variable}={setting.value}"
        blocks.append(f"{comment}\n{line if setting.variable == TOKEN_VARIABLE else '# ' + line}\n")
    return "\n".join(blocks)


def configuration_table() -> str:
    """The Markdown table of every setting, its default and what it does."""
    lines = ["| variable | default | what it does |", "| --- | --- | --- |"]
    lines += [f"| `{s.variable}` | {s.default} | {s.description} |" for s in settings()]
    return "\n".join(lines)


def with_table(page: str) -> str:
    """``page`` with the text between its table markers replaced by ``configuration_table()``."""
    before, found, rest = page.partition(TABLE_START)
    _, found_end, after = rest.partition(TABLE_END)
    if not (found and found_end):
        raise ValueError(f"{CONFIGURATION_PAGE} lacks the lines {TABLE_START!r} and {TABLE_END!r}")
    return f"{before}{TABLE_START}\n{configuration_table()}\n{TABLE_END}{after}"


def main() -> None:
    ENV_EXAMPLE.write_text(env_example(), encoding="utf-8")
    CONFIGURATION_PAGE.write_text(with_table(CONFIGURATION_PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"Wrote {ENV_EXAMPLE} and the settings table of {CONFIGURATION_PAGE}")


if __name__ == "__main__":
    main()
