"""The files in ``deploy/`` use only what exists: real subcommands and options, real settings, files that are there."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess

import pytest
import yaml

from quotebot.bot import cli
from quotebot.bot.settings_reference import settings
from tests.conftest import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
UNITS = ("quotebot.service", "quotebot@.service")
VARIABLES = {setting.variable for setting in settings()}


def unit_values(unit: str, key: str) -> list[str]:
    return re.findall(rf"^{key}=(.*)$", (DEPLOY / unit).read_text(), re.MULTILINE)


def test_compose_builds_the_shipped_dockerfile_and_runs_real_commands_with_real_settings():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    base = compose["x-quotebot"]
    context = (DEPLOY / base["build"]["context"]).resolve()
    assert context == REPO_ROOT and (context / base["build"]["dockerfile"]).is_file()
    assert set(base["environment"]) <= VARIABLES
    for volume in base["volumes"]:
        source = volume.split(":")[0]
        assert source in compose["volumes"] or (DEPLOY / source).resolve().is_dir(), volume
    for service in compose["services"].values():
        program, *arguments = service["command"]
        assert program == "quotebot"
        cli.build_parser().parse_args(arguments)  # exits (fails the test) on an unknown subcommand or option


def test_the_dockerfile_sets_only_real_settings_and_runs_a_real_command():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    named = set(re.findall(r"\b(QUOTEBOT_[A-Z_]+)=", dockerfile))
    assert named and named <= VARIABLES
    [command] = re.findall(r'^CMD \["quotebot", (.*)\]$', dockerfile, re.MULTILINE)
    cli.build_parser().parse_args(re.findall(r'"([^"]+)"', command))


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_units_run_a_real_command_with_real_settings(unit):
    [command] = unit_values(unit, "ExecStart")
    program, *arguments = shlex.split(command.replace("%i", "0"))
    assert program.endswith("/bin/quotebot")
    cli.build_parser().parse_args(arguments)
    for line in unit_values(unit, "Environment"):
        assert {assignment.split("=")[0] for assignment in line.split()} <= VARIABLES


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_analyze_verify_accepts_the_units(unit, tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here")
    # The units name /srv/quotebot; verify checks that ExecStart's program exists, so give it one.
    program = tmp_path / ".venv" / "bin" / "quotebot"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    (tmp_path / ".env").write_text("")
    name = unit.replace("@.", "@0.")
    (tmp_path / name).write_text((DEPLOY / unit).read_text().replace("/srv/quotebot", str(tmp_path)))
    verified = subprocess.run(
        ["systemd-analyze", "verify", f"./{name}"], check=False, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert (verified.returncode, verified.stderr) == (0, "")


def test_the_grafana_dashboard_reads_only_metrics_quotebot_exports():
    from quotebot.bot import metrics

    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
    exported = {family.name + end for family in metrics.REGISTRY.collect() for end in suffixes[family.type]}
    dashboard = json.loads((DEPLOY / "grafana-dashboard.json").read_text())
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    used = {name for expression in expressions for name in re.findall(r"\bquotebot_[a-z_]+\b", expression)}
    assert len(expressions) >= 7 and used
    assert used <= exported, used - exported
