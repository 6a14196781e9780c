"""The wheel users install: one import package, the shipped corpus inside it, answering from any folder.

Built and installed here exactly as a user would get it (``pip wheel``, then a
fresh virtual environment outside the repository), because an editable or
in-repository run hides exactly the mistakes this guards against: a corpus
that only exists beside the source, a subpackage left out of the package
list, files written into site-packages.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, SHIPPED_ARTICLE

QUESTION = "How many defectors reached South Korea in 2019?"


def run(*command: str | Path, **options) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([str(part) for part in command], check=False, capture_output=True, text=True, **options)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", out, REPO_ROOT, timeout=300)
    assert built.returncode == 0, built.stderr
    [path] = out.glob("quotebot-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment outside the repository holding the wheel; its dependencies come from ours.

    The dependencies are made visible through a ``.pth`` file added after the
    install, which keeps the test off the network and fast while the venv's
    own site-packages (holding the wheel's copy of quotebot) still comes first.
    """
    venv = tmp_path_factory.mktemp("venv")
    assert run(sys.executable, "-m", "venv", venv, timeout=120).returncode == 0
    python = venv / "bin" / "python"
    done = run(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel, timeout=300)
    assert done.returncode == 0, done.stderr
    own = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    (own / "zz_quotebot_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def ask_from_an_empty_folder(venv: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    workdir = tmp_path / "empty"
    workdir.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUOTEBOT_")}
    env.pop("PYTHONPATH", None)
    return run(venv / "bin" / "quotebot", "ask", "--json", QUESTION, cwd=workdir, env=env, timeout=120)


def package_folder(venv: Path) -> Path:
    located = run(venv / "bin" / "python", "-c", "import quotebot, os; print(os.path.dirname(quotebot.__file__))")
    return Path(located.stdout.strip())


def test_the_wheel_holds_one_package_its_metadata_and_the_corpus(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    top_level = {name.split("/", 1)[0] for name in names}
    assert top_level == {"quotebot", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    assert f"quotebot/corpus/{SHIPPED_ARTICLE}" in names
    packaged = {str(Path(name).parent).replace("/", ".") for name in names if name.endswith("/__init__.py")}
    in_repository = {"quotebot"} | {
        "quotebot." + ".".join(init.parent.relative_to(REPO_ROOT).parts)
        for top in ("bot", "retrieval")
        for init in (REPO_ROOT / top).rglob("__init__.py")
    }
    assert packaged == in_repository, "every source package, and nothing else, is in the wheel"


def test_the_installed_wheel_answers_from_any_folder_with_its_shipped_corpus(installed: Path, tmp_path: Path) -> None:
    result = ask_from_an_empty_folder(installed, tmp_path)
    assert result.returncode == 0, result.stderr
    [answer] = [json.loads(line) for line in result.stdout.splitlines()]
    assert answer["results"][0]["document"]["id"] == SHIPPED_ARTICLE
    assert "1,047" in answer["results"][0]["text"]
    assert "answering from the shipped corpus" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_read_only_package_folder_still_answers_and_gets_nothing_written_into_it(
    installed: Path, tmp_path: Path
) -> None:
    package = package_folder(installed)
    before = sorted(path.relative_to(package) for path in package.rglob("*") if "__pycache__" not in path.parts)
    modes = {path: path.stat().st_mode for path in [package, *package.rglob("*")]}
    try:
        for path, mode in modes.items():
            path.chmod(stat.S_IMODE(mode) & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        result = ask_from_an_empty_folder(installed, tmp_path)
    finally:
        for path, mode in modes.items():
            path.chmod(stat.S_IMODE(mode))
    assert result.returncode == 0, result.stderr
    [answer] = [json.loads(line) for line in result.stdout.splitlines()]
    assert "1,047" in answer["results"][0]["text"]
    after = sorted(path.relative_to(package) for path in package.rglob("*") if "__pycache__" not in path.parts)
    assert after == before, "the index cache of the shipped corpus goes to the user's cache directory"


def test_python_dash_m_quotebot_is_the_same_command(installed: Path, tmp_path: Path) -> None:
    result = run(installed / "bin" / "python", "-m", "quotebot", "--help", cwd=tmp_path, timeout=60)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: quotebot")
