"""The extensions' layout: each feature package stands alone, so ``reload_extension`` works on it.

An extension imports from ``bot/`` modules and its own package, never from
another extension; and nothing outside ``bot/exts`` imports an extension
(the arrows point one way: extensions use services, never the reverse).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from quotebot.bot.client import EXTENSIONS, QuoteBot
from quotebot.bot.settings import Settings
from quotebot.retrieval.live import LiveEngine
from tests.conftest import REPO_ROOT

BOT = REPO_ROOT / "bot"
EXTS = "quotebot.bot.exts"


def imported(path: Path) -> set[str]:
    """The quotebot modules ``path`` imports, at run time or for type checking alike."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.startswith("quotebot")}


def extension_of(path: Path) -> str:
    """``quotebot.bot.exts.<feature>`` for a file of that feature (its package, or the module itself)."""
    feature = path.relative_to(BOT / "exts").parts[0].removesuffix(".py")
    return f"{EXTS}.{feature}"


def test_no_extension_imports_another() -> None:
    crossings = [
        f"{path.relative_to(REPO_ROOT)} imports {name}"
        for path in sorted((BOT / "exts").rglob("*.py"))
        if path.name != "__init__.py" or path.parent != BOT / "exts"
        for name in imported(path)
        if name.startswith(EXTS + ".") and not (name + ".").startswith(extension_of(path) + ".")
    ]
    assert crossings == []


def test_nothing_outside_the_extensions_imports_one() -> None:
    upward = [
        f"{path.relative_to(REPO_ROOT)} imports {name}"
        for path in sorted(BOT.rglob("*.py"))
        if BOT / "exts" not in path.parents and path.name != "client.py"  # the client names them to load them
        for name in imported(path)
        if name.startswith(EXTS)
    ]
    assert upward == []


def test_per_server_data_knows_nothing_of_discord() -> None:
    for path in sorted((BOT / "servers").glob("*.py")):
        source = ast.parse(path.read_text(encoding="utf-8"))
        modules = {alias.name for node in ast.walk(source) if isinstance(node, ast.Import) for alias in node.names}
        modules |= {node.module for node in ast.walk(source) if isinstance(node, ast.ImportFrom) and node.module}
        assert not {name for name in modules if name.split(".")[0] == "discord"}, path.name


def test_services_never_call_back_into_the_client() -> None:
    for module in ("services.py", "answering.py", "policy.py"):
        assert "quotebot.bot.client" not in imported(BOT / module), module


def test_every_extension_is_a_feature_that_loads_reloads_and_unloads(clean_env: Path) -> None:
    assert set(EXTENSIONS) == {extension_of(path) for path in (BOT / "exts").iterdir() if path.name != "__init__.py"
                               and not path.name.startswith((".", "_"))}


@pytest.mark.parametrize("extension", EXTENSIONS)
async def test_each_extension_reloads_alone(clean_env: Path, extension: str) -> None:
    (clean_env / "corpus").mkdir()
    bot = QuoteBot(Settings(discord_token="x", server_corpora=clean_env / "servers"), LiveEngine(clean_env / "corpus"))
    async with bot:  # never logged in: the extensions are loaded by hand
        for name in EXTENSIONS:
            await bot.load_extension(name)
        commands = sorted(command.qualified_name for command in bot.tree.walk_commands())
        cogs = set(bot.cogs)
        await bot.reload_extension(extension)
        assert sorted(command.qualified_name for command in bot.tree.walk_commands()) == commands
        assert set(bot.cogs) == cogs
